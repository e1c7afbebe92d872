//! KIP-507 request signing: the HMAC that authenticates internal REST requests between the
//! workers of one group (`POST /connectors/{c}/tasks`, `PUT /connectors/{c}/fence`), and the
//! session keys it uses.
//!
//! A sender computes the MAC of the exact body bytes it sends (no bytes when there is no body)
//! with the group's session key and sends it, standard Base64, in [`SIGNATURE_HEADER`], with the
//! algorithm's Java name in [`SIGNATURE_ALGORITHM_HEADER`]. A receiver recomputes it over the
//! bytes it received and compares in constant time. The leader generates session keys, writes
//! them to the config topic (`session-key`) and replaces them by the rule of
//! [`KeyPolicy::rotation_due`]; Java workers do the same, so either can lead a mixed group.
//!
//! Algorithms carry their Java (JCA) names, compared without regard to case as the JCA looks
//! them up. Only the HMACs below are supported; any other JCA algorithm is refused at start-up.

use std::time::Duration;

use base64::{
    Engine,
    alphabet::STANDARD,
    engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig},
};
use hmac::{Hmac, KeyInit, Mac};

use crate::runtime::stores::SessionKey;

/// The header with the request's MAC (standard Base64).
pub const SIGNATURE_HEADER: &str = "X-Connect-Authorization";
/// The header with the MAC algorithm's Java name (e.g. `HmacSHA256`).
pub const SIGNATURE_ALGORITHM_HEADER: &str = "X-Connect-Request-Signature-Algorithm";

/// Java's smallest key for an HMAC key generator (`KeyGenerator.init` refuses fewer bits).
pub const MIN_KEY_BITS: u32 = 40;

/// An HMAC algorithm, by the name Java gives it; used both to generate session keys
/// (`inter.worker.key.generation.algorithm`) and to sign (`inter.worker.signature.algorithm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HmacAlgorithm {
    /// `HmacSHA1`.
    HmacSha1,
    /// `HmacSHA224`.
    HmacSha224,
    /// `HmacSHA256` (Kafka Connect's default).
    HmacSha256,
    /// `HmacSHA384`.
    HmacSha384,
    /// `HmacSHA512`.
    HmacSha512,
}

impl HmacAlgorithm {
    /// Every supported algorithm.
    pub const ALL: [HmacAlgorithm; 5] = [
        HmacAlgorithm::HmacSha1,
        HmacAlgorithm::HmacSha224,
        HmacAlgorithm::HmacSha256,
        HmacAlgorithm::HmacSha384,
        HmacAlgorithm::HmacSha512,
    ];

    /// The Java name, as written in configs, headers and `session-key` records.
    pub fn java_name(self) -> &'static str {
        match self {
            HmacAlgorithm::HmacSha1 => "HmacSHA1",
            HmacAlgorithm::HmacSha224 => "HmacSHA224",
            HmacAlgorithm::HmacSha256 => "HmacSHA256",
            HmacAlgorithm::HmacSha384 => "HmacSHA384",
            HmacAlgorithm::HmacSha512 => "HmacSHA512",
        }
    }

    /// The algorithm of a Java name, in any case (the JCA ignores case); `None` if unsupported.
    pub fn from_java_name(name: &str) -> Option<Self> {
        let name = name.trim();
        Self::ALL
            .into_iter()
            .find(|a| a.java_name().eq_ignore_ascii_case(name))
    }

    /// The key length a JDK key generator of this algorithm produces when no size is configured:
    /// the digest's output size for SHA-2, 64 bytes for SHA-1.
    pub fn default_key_bytes(self) -> usize {
        match self {
            HmacAlgorithm::HmacSha1 => 64,
            HmacAlgorithm::HmacSha224 => 28,
            HmacAlgorithm::HmacSha256 => 32,
            HmacAlgorithm::HmacSha384 => 48,
            HmacAlgorithm::HmacSha512 => 64,
        }
    }

    /// The MAC of `message` under `key`.
    pub fn mac(self, key: &[u8], message: &[u8]) -> Vec<u8> {
        match self {
            HmacAlgorithm::HmacSha1 => mac_bytes::<Hmac<sha1::Sha1>>(key, message),
            HmacAlgorithm::HmacSha224 => mac_bytes::<Hmac<sha2::Sha224>>(key, message),
            HmacAlgorithm::HmacSha256 => mac_bytes::<Hmac<sha2::Sha256>>(key, message),
            HmacAlgorithm::HmacSha384 => mac_bytes::<Hmac<sha2::Sha384>>(key, message),
            HmacAlgorithm::HmacSha512 => mac_bytes::<Hmac<sha2::Sha512>>(key, message),
        }
    }

    /// Whether `expected` is the MAC of `message` under `key`, compared in constant time.
    pub fn verify(self, key: &[u8], message: &[u8], expected: &[u8]) -> bool {
        match self {
            HmacAlgorithm::HmacSha1 => mac_matches::<Hmac<sha1::Sha1>>(key, message, expected),
            HmacAlgorithm::HmacSha224 => mac_matches::<Hmac<sha2::Sha224>>(key, message, expected),
            HmacAlgorithm::HmacSha256 => mac_matches::<Hmac<sha2::Sha256>>(key, message, expected),
            HmacAlgorithm::HmacSha384 => mac_matches::<Hmac<sha2::Sha384>>(key, message, expected),
            HmacAlgorithm::HmacSha512 => mac_matches::<Hmac<sha2::Sha512>>(key, message, expected),
        }
    }
}

impl std::fmt::Display for HmacAlgorithm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.java_name())
    }
}

fn keyed<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> M {
    // HMAC takes keys of any length (longer ones are hashed first), so this cannot fail.
    let mut mac = <M as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac
}

fn mac_bytes<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
    keyed::<M>(key, message).finalize().into_bytes().to_vec()
}

fn mac_matches<M: Mac + KeyInit>(key: &[u8], message: &[u8], expected: &[u8]) -> bool {
    keyed::<M>(key, message).verify_slice(expected).is_ok()
}

/// Java's `Base64.getDecoder()`: the standard alphabet, padding accepted but not required.
const JAVA_BASE64: GeneralPurpose = GeneralPurpose::new(
    &STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The [`SIGNATURE_HEADER`] value for a request with `body` (its exact bytes; empty if none).
pub fn sign(key: &SessionKey, algorithm: HmacAlgorithm, body: &[u8]) -> String {
    JAVA_BASE64.encode(algorithm.mac(&key.key, body))
}

/// Why a received signature is not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header is not Base64 (the message is Java's, e.g. `Illegal base64 character 21`).
    #[error("{0}")]
    NotBase64(String),
    /// The MAC differs: another key, another body, or a forged request.
    #[error("Internal request contained invalid signature.")]
    Mismatch,
}

/// Checks a received [`SIGNATURE_HEADER`] value against the MAC of the received `body`.
pub fn verify(
    key: &SessionKey,
    algorithm: HmacAlgorithm,
    body: &[u8],
    signature: &str,
) -> Result<(), SignatureError> {
    let decoded = decode(signature)?;
    if algorithm.verify(&key.key, body, &decoded) {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The MAC bytes of a received [`SIGNATURE_HEADER`] value (Base64 as Java's decoder reads it).
pub fn decode(signature: &str) -> Result<Vec<u8>, SignatureError> {
    JAVA_BASE64
        .decode(signature.trim())
        .map_err(|e| SignatureError::NotBase64(java_base64_message(&e)))
}

/// Java's texts where they are simple (`Illegal base64 character <hex>`), else the crate's.
fn java_base64_message(e: &base64::DecodeError) -> String {
    match e {
        base64::DecodeError::InvalidByte(_, byte) => format!("Illegal base64 character {byte:x}"),
        other => other.to_string(),
    }
}

/// A session key and the algorithm to sign with: what a sender of internal requests needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    /// The group's current session key.
    pub key: SessionKey,
    /// `inter.worker.signature.algorithm`.
    pub algorithm: HmacAlgorithm,
}

impl Signer {
    /// The two headers that sign a request whose body is `body`.
    pub fn headers(&self, body: &[u8]) -> [(&'static str, String); 2] {
        [
            (SIGNATURE_HEADER, sign(&self.key, self.algorithm, body)),
            (
                SIGNATURE_ALGORITHM_HEADER,
                self.algorithm.java_name().to_owned(),
            ),
        ]
    }
}

/// How the leader makes session keys and when it replaces them
/// (`inter.worker.key.generation.algorithm`, `inter.worker.key.size`, `inter.worker.key.ttl.ms`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyPolicy {
    /// The keys' algorithm (written into each `session-key` record).
    pub algorithm: HmacAlgorithm,
    /// The key size in bits (`None`: the algorithm's default, [`HmacAlgorithm::default_key_bytes`]).
    pub size_bits: Option<u32>,
    /// How long a key is used before the leader replaces it.
    pub ttl: Duration,
}

/// Why the leader must write a new session key now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// No worker has written a key yet.
    NoKey,
    /// The key is older than `inter.worker.key.ttl.ms`.
    Expired,
    /// The key's algorithm is not `inter.worker.key.generation.algorithm`.
    OtherAlgorithm,
    /// The key's length is not the configured one.
    OtherLength,
}

impl KeyPolicy {
    /// Kafka Connect's defaults: HmacSHA256, 256-bit keys, one hour.
    pub const DEFAULT: KeyPolicy = KeyPolicy {
        algorithm: HmacAlgorithm::HmacSha256,
        size_bits: None,
        ttl: Duration::from_millis(3_600_000),
    };

    /// The length in bytes of the keys this policy generates, rounding bits up as Java does.
    pub fn key_bytes(&self) -> usize {
        match self.size_bits {
            Some(bits) => bits.div_ceil(8) as usize,
            None => self.algorithm.default_key_bytes(),
        }
    }

    /// A new random key created at `now_ms` (ms since the epoch). Fails only if the operating
    /// system has no random numbers to give.
    pub fn generate(&self, now_ms: i64) -> Result<SessionKey, String> {
        let mut key = vec![0u8; self.key_bytes()];
        getrandom::fill(&mut key).map_err(|e| {
            format!(
                "cannot generate a session key: the operating system's random number generator \
                 failed ({e})"
            )
        })?;
        Ok(SessionKey {
            key,
            algorithm: self.algorithm.java_name().to_owned(),
            creation_timestamp: now_ms,
        })
    }

    /// When `key` expires (ms since the epoch): its creation plus the TTL. A follower that
    /// becomes leader re-keys from then on.
    pub fn expires_at(&self, key: &SessionKey) -> i64 {
        let ttl = i64::try_from(self.ttl.as_millis()).unwrap_or(i64::MAX);
        key.creation_timestamp.saturating_add(ttl)
    }

    /// Whether a leader holding `current` must write a new key at `now_ms`, and why; Java's
    /// rule: no key, expired (expiry ≤ now), or a key of another algorithm or length.
    pub fn rotation_due(&self, current: Option<&SessionKey>, now_ms: i64) -> Option<Rotation> {
        let Some(key) = current else {
            return Some(Rotation::NoKey);
        };
        if self.expires_at(key) <= now_ms {
            Some(Rotation::Expired)
        } else if key.algorithm != self.algorithm.java_name() {
            Some(Rotation::OtherAlgorithm)
        } else if key.key.len() != self.key_bytes() {
            Some(Rotation::OtherLength)
        } else {
            None
        }
    }
}

#[cfg(test)]
#[path = "signing_tests.rs"]
mod tests;
