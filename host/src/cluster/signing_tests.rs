//! Tests of [`super`]: RFC 4231 / RFC 2202 vectors, signatures computed by a JDK for the same
//! key and body, header values, and the session-key rotation rule.

use super::*;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn key(bytes: &[u8], algorithm: &str, created: i64) -> SessionKey {
    SessionKey {
        key: bytes.to_vec(),
        algorithm: algorithm.to_owned(),
        creation_timestamp: created,
    }
}

#[test]
fn rfc_4231_and_rfc_2202_vectors() {
    use HmacAlgorithm::*;
    let case1 = ([0x0b; 20].as_slice(), b"Hi There".as_slice());
    let case2 = (
        b"Jefe".as_slice(),
        b"what do ya want for nothing?".as_slice(),
    );
    let case6_key = [0xaa; 131];
    let case6 = (
        case6_key.as_slice(),
        b"Test Using Larger Than Block-Size Key - Hash Key First".as_slice(),
    );
    let vectors = [
        (HmacSha1, case1, "b617318655057264e28bc0b6fb378c8ef146be00"),
        (HmacSha1, case2, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"),
        (
            HmacSha224,
            case1,
            "896fb1128abbdf196832107cd49df33f47b4b1169912ba4f53684b22",
        ),
        (
            HmacSha224,
            case2,
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
        ),
        (
            HmacSha256,
            case1,
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            HmacSha256,
            case2,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            HmacSha256,
            case6,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            HmacSha384,
            case1,
            "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59c\
             faea9ea9076ede7f4af152e8b2fa9cb6",
        ),
        (
            HmacSha384,
            case2,
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e\
             8e2240ca5e69e2c78b3239ecfab21649",
        ),
        (
            HmacSha512,
            case1,
            "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde\
             daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854",
        ),
        (
            HmacSha512,
            case2,
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554\
             9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ),
        (
            HmacSha512,
            case6,
            "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f352\
             6b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598",
        ),
    ];
    for (algorithm, (k, message), expected) in vectors {
        let mac = algorithm.mac(k, message);
        assert_eq!(hex(&mac), expected, "{algorithm}");
        assert!(algorithm.verify(k, message, &mac), "{algorithm}");
        let mut wrong = mac.clone();
        wrong[0] ^= 1;
        assert!(!algorithm.verify(k, message, &wrong), "{algorithm}");
        assert!(
            !algorithm.verify(k, message, &mac[..mac.len() - 1]),
            "{algorithm}"
        );
    }
}

/// The header values a JDK 17 computes for this key and body with
/// `Mac.getInstance(a).init(new SecretKeySpec(key, a))`, `doFinal(body)` and
/// `Base64.getEncoder()`, as Kafka Connect's `InternalRequestSignature` does.
#[test]
fn signatures_match_what_a_java_worker_computes() {
    let k = key(b"0123456789abcdef0123456789abcdef", "HmacSHA256", 0);
    let body = br#"[{"task.class":"T","topics":"t"}]"#;
    let java = [
        (HmacAlgorithm::HmacSha1, "l3eAKRcfMVFodT2JczwTQk535NM="),
        (
            HmacAlgorithm::HmacSha224,
            "Tr/EpJqxUHdSlvWC3sBpGiAa8qMsJSKaABqbyQ==",
        ),
        (
            HmacAlgorithm::HmacSha256,
            "02RG4zybJr3lktFXju12xhgNApuNUPPQvd93rSCkIHg=",
        ),
        (
            HmacAlgorithm::HmacSha384,
            "NYWjtMzUAhyZ/XwlvhRE5x88fDP79bksy2+03KzfmgcsR2G4A2/8Ty5Lm7pz65XD",
        ),
        (
            HmacAlgorithm::HmacSha512,
            "RBkU4CesCuS6lbLdq9jVMlB0EV+fme0u2AtGPXCd73DykGoZCXk6Fy8COqlA44Ld8Tj1gSlSGUSAisTsA27btQ==",
        ),
    ];
    for (algorithm, expected) in java {
        assert_eq!(sign(&k, algorithm, body), expected, "{algorithm}");
        assert_eq!(verify(&k, algorithm, body, expected), Ok(()));
    }
    // No body (a fence request): the MAC of no bytes.
    assert_eq!(
        sign(&k, HmacAlgorithm::HmacSha256, b""),
        "eWzTB4rxRjZ1PSaztVVUIv9Vo+Jhz4R7SOlTcbm9CqI="
    );
}

#[test]
fn verify_reads_base64_like_java_and_refuses_other_bodies_and_keys() {
    let k = key(b"0123456789abcdef0123456789abcdef", "HmacSHA256", 0);
    let body = br#"[{"task.class":"T","topics":"t"}]"#;
    let good = sign(&k, HmacAlgorithm::HmacSha256, body);
    // Java's decoder does not require the padding.
    let unpadded = good.trim_end_matches('=');
    assert_eq!(
        verify(&k, HmacAlgorithm::HmacSha256, body, unpadded),
        Ok(())
    );
    assert_eq!(
        verify(&k, HmacAlgorithm::HmacSha256, b"[]", &good),
        Err(SignatureError::Mismatch)
    );
    let other = key(b"another key", "HmacSHA256", 0);
    assert_eq!(
        verify(&other, HmacAlgorithm::HmacSha256, body, &good),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(&k, HmacAlgorithm::HmacSha512, body, &good),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify(&k, HmacAlgorithm::HmacSha256, body, "!!"),
        Err(SignatureError::NotBase64(
            "Illegal base64 character 21".into()
        ))
    );
    assert_eq!(
        SignatureError::Mismatch.to_string(),
        "Internal request contained invalid signature."
    );
}

#[test]
fn signer_headers_name_the_algorithm_as_java_does() {
    let signer = Signer {
        key: key(b"0123456789abcdef0123456789abcdef", "HmacSHA256", 0),
        algorithm: HmacAlgorithm::HmacSha256,
    };
    let [(name, value), (alg_name, alg)] = signer.headers(b"");
    assert_eq!(name, "X-Connect-Authorization");
    assert_eq!(value, "eWzTB4rxRjZ1PSaztVVUIv9Vo+Jhz4R7SOlTcbm9CqI=");
    assert_eq!(alg_name, "X-Connect-Request-Signature-Algorithm");
    assert_eq!(alg, "HmacSHA256");
}

#[test]
fn algorithm_names_are_read_without_regard_to_case() {
    for a in HmacAlgorithm::ALL {
        assert_eq!(HmacAlgorithm::from_java_name(a.java_name()), Some(a));
    }
    assert_eq!(
        HmacAlgorithm::from_java_name("hmacsha256"),
        Some(HmacAlgorithm::HmacSha256)
    );
    assert_eq!(HmacAlgorithm::from_java_name("HmacMD5"), None);
    assert_eq!(HmacAlgorithm::from_java_name("AES"), None);
}

/// Key lengths as a JDK's `KeyGenerator` makes them: the default per algorithm, and bits rounded
/// up to whole bytes after `init(bits)` (JDK 17: `init(41)` gives 6 bytes).
#[test]
fn generated_keys_have_the_jdk_lengths() {
    let expected_defaults = [
        (HmacAlgorithm::HmacSha1, 64),
        (HmacAlgorithm::HmacSha224, 28),
        (HmacAlgorithm::HmacSha256, 32),
        (HmacAlgorithm::HmacSha384, 48),
        (HmacAlgorithm::HmacSha512, 64),
    ];
    for (algorithm, bytes) in expected_defaults {
        let policy = KeyPolicy {
            algorithm,
            ..KeyPolicy::DEFAULT
        };
        let k = policy.generate(1_000).unwrap();
        assert_eq!(k.key.len(), bytes, "{algorithm}");
        assert_eq!(k.algorithm, algorithm.java_name());
        assert_eq!(k.creation_timestamp, 1_000);
    }
    let sized = KeyPolicy {
        size_bits: Some(41),
        ..KeyPolicy::DEFAULT
    };
    assert_eq!(sized.generate(0).unwrap().key.len(), 6);
    let a = KeyPolicy::DEFAULT.generate(0).unwrap();
    let b = KeyPolicy::DEFAULT.generate(0).unwrap();
    assert_ne!(a.key, b.key, "keys must be random");
    assert!(
        !format!("{a:?}").contains(&format!("{:?}", a.key)),
        "Debug never shows the key"
    );
}

#[test]
fn the_leader_rekeys_when_there_is_no_key_it_expired_or_it_is_of_another_kind() {
    let policy = KeyPolicy::DEFAULT;
    let hour = 3_600_000;
    let current = key(&[7; 32], "HmacSHA256", 10_000);
    assert_eq!(policy.rotation_due(None, 0), Some(Rotation::NoKey));
    assert_eq!(policy.rotation_due(Some(&current), 10_000), None);
    assert_eq!(policy.expires_at(&current), 10_000 + hour);
    assert_eq!(policy.rotation_due(Some(&current), 10_000 + hour - 1), None);
    assert_eq!(
        policy.rotation_due(Some(&current), 10_000 + hour),
        Some(Rotation::Expired)
    );
    let sha512 = key(&[7; 32], "HmacSHA512", 10_000);
    assert_eq!(
        policy.rotation_due(Some(&sha512), 10_000),
        Some(Rotation::OtherAlgorithm)
    );
    let short = key(&[7; 16], "HmacSHA256", 10_000);
    assert_eq!(
        policy.rotation_due(Some(&short), 10_000),
        Some(Rotation::OtherLength)
    );
    let bigger = KeyPolicy {
        size_bits: Some(512),
        ..policy
    };
    assert_eq!(
        bigger.rotation_due(Some(&current), 10_000),
        Some(Rotation::OtherLength)
    );
    let never = KeyPolicy {
        ttl: Duration::from_millis(u64::MAX),
        ..policy
    };
    assert_eq!(never.rotation_due(Some(&current), i64::MAX - 1), None);
}
