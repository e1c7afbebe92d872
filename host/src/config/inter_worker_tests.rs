//! Tests of [`super`]: Java's defaults and checks of the `inter.worker.*` keys.

use super::*;

fn read_props(pairs: &[(&str, &str)]) -> (InterWorkerConfig, Vec<String>) {
    let props = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut errors = Vec::new();
    let config = read(&props, &mut errors);
    (config, errors.iter().map(ToString::to_string).collect())
}

fn ok(pairs: &[(&str, &str)]) -> InterWorkerConfig {
    let (config, errors) = read_props(pairs);
    assert!(errors.is_empty(), "{errors:?}");
    config
}

fn one_error(pairs: &[(&str, &str)]) -> String {
    let (_, errors) = read_props(pairs);
    assert_eq!(errors.len(), 1, "{errors:?}");
    errors[0].clone()
}

#[test]
fn java_defaults() {
    let c = ok(&[]);
    assert_eq!(c, InterWorkerConfig::default());
    assert_eq!(c.key.algorithm, HmacAlgorithm::HmacSha256);
    assert_eq!(c.key.size_bits, None);
    assert_eq!(c.key.key_bytes(), 32);
    assert_eq!(c.key.ttl, Duration::from_millis(3_600_000));
    assert_eq!(c.signature_algorithm, HmacAlgorithm::HmacSha256);
    assert_eq!(c.verification_algorithms, [HmacAlgorithm::HmacSha256]);
    assert!(c.accepts(HmacAlgorithm::HmacSha256));
    assert!(!c.accepts(HmacAlgorithm::HmacSha512));
}

#[test]
fn every_key_is_read() {
    let c = ok(&[
        (KEY_ALGORITHM, "HmacSHA512"),
        (KEY_SIZE, "1024"),
        (KEY_TTL, "60000"),
        (SIGNATURE_ALGORITHM, "hmacsha512"),
        (VERIFICATION_ALGORITHMS, "HmacSHA256, HmacSHA512"),
    ]);
    assert_eq!(c.key.algorithm, HmacAlgorithm::HmacSha512);
    assert_eq!((c.key.size_bits, c.key.key_bytes()), (Some(1024), 128));
    assert_eq!(c.key.ttl, Duration::from_secs(60));
    assert_eq!(c.signature_algorithm, HmacAlgorithm::HmacSha512);
    assert_eq!(
        c.verification_algorithms,
        [HmacAlgorithm::HmacSha256, HmacAlgorithm::HmacSha512]
    );
    // The verification list keeps Java's default, so another signature algorithm needs it too.
    let e = one_error(&[(SIGNATURE_ALGORITHM, "HmacSHA1")]);
    assert!(e.contains("must be present in"), "{e}");
    // Key sizes round up to whole bytes, as the JDK's key generators do.
    assert_eq!(ok(&[(KEY_SIZE, "41")]).key.key_bytes(), 6);
    assert_eq!(ok(&[(KEY_TTL, "0")]).key.ttl, Duration::ZERO);
}

#[test]
fn the_signature_algorithm_must_be_verifiable() {
    let e = one_error(&[
        (SIGNATURE_ALGORITHM, "HmacSHA512"),
        (VERIFICATION_ALGORITHMS, "HmacSHA256"),
    ]);
    assert!(
        e.starts_with("worker config: `inter.worker.signature.algorithm` = \"HmacSHA512\" "),
        "{e}"
    );
    assert!(
        e.contains(
            "Signature algorithm must be present in inter.worker.verification.algorithms list"
        ),
        "{e}"
    );
    assert!(e.contains("e.g. HmacSHA256,HmacSHA512"), "{e}");
    let e = one_error(&[(VERIFICATION_ALGORITHMS, " ")]);
    assert!(
        e.contains("At least one signature verification algorithm must be provided"),
        "{e}"
    );
}

#[test]
fn other_jca_algorithms_are_not_supported_yet() {
    for key in [KEY_ALGORITHM, SIGNATURE_ALGORITHM] {
        let e = one_error(&[(key, "HmacMD5")]);
        assert_eq!(
            e,
            format!(
                "worker config: not supported yet: {key}: the algorithm 'HmacMD5' \
                 is not supported yet (supported: HmacSHA1, HmacSHA224, HmacSHA256, HmacSHA384, \
                 HmacSHA512); use one of those on every worker of the group, or remove the key \
                 for HmacSHA256"
            )
        );
    }
    let e = one_error(&[(VERIFICATION_ALGORITHMS, "HmacSHA256,AES")]);
    assert!(
        e.contains("not supported yet: inter.worker.verification.algorithms"),
        "{e}"
    );
    assert!(e.contains("'AES' is not supported yet"), "{e}");
}

#[test]
fn key_sizes_and_lifetimes_are_checked_like_java() {
    let e = one_error(&[(KEY_SIZE, "32")]);
    assert_eq!(
        e,
        "worker config: `inter.worker.key.size` = \"32\" is too small: key length must be at \
         least 40 bits; remove it for the HmacSHA256 default of 256 bits"
    );
    let e = one_error(&[(KEY_SIZE, "big")]);
    assert!(
        e.contains("is not a number (expected a key size in bits"),
        "{e}"
    );
    for ttl in ["-1", "2147483648", "1h"] {
        let e = one_error(&[(KEY_TTL, ttl)]);
        assert!(
            e.contains("is not a valid key lifetime (expected milliseconds in 0..=2147483647"),
            "{e}"
        );
    }
}

#[test]
fn the_signer_uses_the_signature_algorithm() {
    let c = ok(&[
        (SIGNATURE_ALGORITHM, "HmacSHA384"),
        (VERIFICATION_ALGORITHMS, "HmacSHA384"),
    ]);
    let key = SessionKey {
        key: vec![1; 32],
        algorithm: "HmacSHA256".into(),
        creation_timestamp: 0,
    };
    let signer = c.signer(key.clone());
    assert_eq!(signer.algorithm, HmacAlgorithm::HmacSha384);
    assert_eq!(signer.key, key);
}
