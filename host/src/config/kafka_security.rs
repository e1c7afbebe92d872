//! Java's Kafka client security keys (`security.protocol`, `ssl.*`, `sasl.*`) in librdkafka's
//! terms, so a worker file written for Kafka Connect reaches a TLS or SASL cluster unchanged:
//!
//! | Java | librdkafka |
//! |---|---|
//! | `security.protocol` PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL | the same |
//! | `sasl.mechanism` PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 | `sasl.mechanisms` |
//! | `sasl.jaas.config` with `PlainLoginModule` / `ScramLoginModule` | `sasl.username`, `sasl.password` |
//! | `ssl.truststore.location` (PEM or PKCS12), `ssl.truststore.password` | `ssl.ca.location` (PEM), or the PKCS12's certificates as `ssl.ca.pem` |
//! | `ssl.truststore.certificates` (PEM text) | `ssl.ca.pem` |
//! | `ssl.keystore.location` PKCS12 + `ssl.keystore.password` | `ssl.keystore.location`, `ssl.keystore.password` |
//! | `ssl.keystore.location` PEM (key and certificate chain in one file) | `ssl.key.location`, `ssl.certificate.location` |
//! | `ssl.keystore.key` / `ssl.keystore.certificate.chain` (PEM text) | `ssl.key.pem` / `ssl.certificate.pem` |
//! | `ssl.key.password` | `ssl.key.password` |
//! | `ssl.endpoint.identification.algorithm` `https` / empty | `https` / `none` |
//!
//! JKS stores are refused with the `keytool` command that converts them. Keys that configure a
//! Java class or a JVM facility (Kerberos, OAuth, login callbacks, security providers) are
//! accepted at Kafka's default only and otherwise refused with "not supported yet".

use std::collections::BTreeMap;
use std::path::Path;

/// Why a security setting cannot be used: the key and the message (what and how to fix).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityError {
    /// The Java key at fault.
    pub key: String,
    /// What is wrong and what to do.
    pub message: String,
    /// Whether it is a "not supported yet" refusal (rather than a bad value).
    pub unsupported: bool,
}

pub(crate) fn invalid(key: &str, message: impl Into<String>) -> SecurityError {
    SecurityError {
        key: key.to_owned(),
        message: message.into(),
        unsupported: false,
    }
}

pub(crate) fn unsupported(key: &str, message: impl Into<String>) -> SecurityError {
    SecurityError {
        key: key.to_owned(),
        message: message.into(),
        unsupported: true,
    }
}

/// Whether `key` is one of the security keys this module translates or refuses.
pub fn is_security_key(key: &str) -> bool {
    key == "security.protocol" || key.starts_with("ssl.") || key.starts_with("sasl.")
}

/// Keys accepted only at Kafka's default (or empty): (key, default, why another value is refused).
const DEFAULT_ONLY: &[(&str, &str, &str)] = &[
    (
        "ssl.protocol",
        "TLSv1.3",
        "the TLS version is negotiated by OpenSSL (TLS 1.2 and 1.3)",
    ),
    (
        "ssl.enabled.protocols",
        "TLSv1.2,TLSv1.3",
        "the TLS versions are negotiated by OpenSSL (TLS 1.2 and 1.3)",
    ),
    ("ssl.provider", "", "security providers are Java classes"),
    (
        "ssl.keymanager.algorithm",
        "SunX509",
        "key managers are Java's",
    ),
    (
        "ssl.trustmanager.algorithm",
        "PKIX",
        "trust managers are Java's",
    ),
    (
        "ssl.secure.random.implementation",
        "",
        "random sources are Java's",
    ),
    (
        "ssl.engine.factory.class",
        "",
        "SSL engines are Java classes",
    ),
    (
        "ssl.cipher.suites",
        "",
        "OpenSSL names cipher suites differently from Java; the defaults are used",
    ),
    (
        "sasl.client.callback.handler.class",
        "",
        "callback handlers are Java classes",
    ),
    ("sasl.login.class", "", "login classes are Java classes"),
    (
        "sasl.login.callback.handler.class",
        "",
        "callback handlers are Java classes",
    ),
    (
        "sasl.kerberos.service.name",
        "",
        "Kerberos (GSSAPI) is not built into this worker",
    ),
];

/// Checks a key accepted only at Kafka's default: `None` if `key` is not one of them, else
/// whether `value` (trimmed) is that default or empty.
pub(crate) fn default_only(key: &str, value: &str) -> Option<Result<(), SecurityError>> {
    let (_, default, why) = DEFAULT_ONLY.iter().find(|(k, _, _)| *k == key)?;
    if value.is_empty() || value.eq_ignore_ascii_case(default) {
        return Some(Ok(()));
    }
    let default = if default.is_empty() {
        String::new()
    } else {
        format!(", {default},")
    };
    Some(Err(unsupported(
        key,
        format!("'{value}' (only Kafka's default{default} is supported): {why}"),
    )))
}

/// Java's default `ssl.truststore.type` / `ssl.keystore.type`.
const JAVA_STORE_DEFAULT: &str = "JKS";

/// The `keytool` command that converts a JKS store to PKCS12.
pub(crate) fn keytool_hint(path: &str) -> String {
    let p12 = Path::new(path).with_extension("p12");
    format!(
        "convert it with `keytool -importkeystore -srckeystore {path} -destkeystore {} -deststoretype PKCS12` and point the key at the .p12 file with the store type PKCS12",
        p12.display()
    )
}

/// What a store file holds, by its first bytes (a store type left at Java's JKS default is
/// read by content, as Java 9+ reads a PKCS12 file named as JKS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoreKind {
    /// Java's own format (refused, with the `keytool` command that converts it).
    Jks,
    /// PKCS12.
    Pkcs12,
    /// PEM text.
    Pem,
}

pub(crate) fn store_kind(
    key: &str,
    path: &str,
    declared: Option<&str>,
) -> Result<StoreKind, SecurityError> {
    let declared = declared.map(|t| t.trim().to_ascii_uppercase());
    match declared.as_deref() {
        Some("PKCS12") => return Ok(StoreKind::Pkcs12),
        Some("PEM") => return Ok(StoreKind::Pem),
        Some("JKS") | None => {}
        Some(other) => {
            return Err(unsupported(
                key,
                format!(
                    "store type {other}: this worker reads PEM and PKCS12 stores (and JKS by conversion)"
                ),
            ));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| {
        invalid(
            key,
            format!("cannot read {path}: {e} (check the path and its permissions)"),
        )
    })?;
    if bytes.starts_with(&[0xFE, 0xED, 0xFE, 0xED]) {
        return Ok(StoreKind::Jks);
    }
    if bytes.starts_with(b"-----BEGIN") || String::from_utf8_lossy(&bytes).contains("-----BEGIN ") {
        return Ok(StoreKind::Pem);
    }
    if bytes.first() == Some(&0x30) {
        return Ok(StoreKind::Pkcs12);
    }
    Err(invalid(
        key,
        format!("{path} is neither a PEM, a PKCS12 nor a JKS store"),
    ))
}

/// The CA certificates of a PKCS12 truststore, as PEM text.
fn pkcs12_certificates(key: &str, path: &str, password: &str) -> Result<String, SecurityError> {
    let der = std::fs::read(path).map_err(|e| invalid(key, format!("cannot read {path}: {e}")))?;
    let p12 = openssl::pkcs12::Pkcs12::from_der(&der)
        .map_err(|e| invalid(key, format!("{path} is not a PKCS12 store: {e}")))?;
    let parsed = p12.parse2(password).map_err(|e| {
        invalid(
            key,
            format!("cannot open the PKCS12 store {path}: {e} (check ssl.truststore.password)"),
        )
    })?;
    let mut pem = String::new();
    let certs = parsed
        .ca
        .into_iter()
        .flatten()
        .chain(parsed.cert)
        .collect::<Vec<_>>();
    for cert in certs {
        let text = cert.to_pem().map_err(|e| {
            invalid(
                key,
                format!("a certificate of {path} cannot be written as PEM: {e}"),
            )
        })?;
        pem.push_str(&String::from_utf8_lossy(&text));
    }
    if pem.is_empty() {
        return Err(invalid(
            key,
            format!("the PKCS12 store {path} holds no certificate"),
        ));
    }
    Ok(pem)
}

/// The username and password of a `sasl.jaas.config` value with Kafka's `PlainLoginModule` or
/// `ScramLoginModule` (`<class> required username="u" password="p";`).
pub fn jaas_credentials(value: &str) -> Result<(String, String), SecurityError> {
    const KEY: &str = "sasl.jaas.config";
    let text = value.trim();
    let (class, rest) = text
        .split_once(char::is_whitespace)
        .unwrap_or((text.trim_end_matches(';'), ""));
    let simple = class.rsplit('.').next().unwrap_or(class);
    if simple != "PlainLoginModule" && simple != "ScramLoginModule" {
        return Err(unsupported(
            KEY,
            format!(
                "{class} (this worker logs in with Kafka's PlainLoginModule and ScramLoginModule)"
            ),
        ));
    }
    let rest = rest.trim_start();
    let rest = rest
        .strip_prefix("required")
        .or_else(|| rest.strip_prefix("requisite"))
        .or_else(|| rest.strip_prefix("sufficient"))
        .or_else(|| rest.strip_prefix("optional"))
        .ok_or_else(|| invalid(KEY, "the login module's flag (`required`) is missing"))?;
    let mut options = BTreeMap::new();
    let mut chars = rest.trim().trim_end_matches(';').chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let name: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if name.trim().is_empty() {
            break;
        }
        let value = if chars.peek() == Some(&'"') {
            chars.next();
            let mut v = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => v.extend(chars.next()),
                    '"' => break,
                    c => v.push(c),
                }
            }
            v
        } else {
            chars.by_ref().take_while(|c| !c.is_whitespace()).collect()
        };
        options.insert(name.trim().to_owned(), value);
    }
    match (options.remove("username"), options.remove("password")) {
        (Some(u), Some(p)) => Ok((u, p)),
        _ => Err(invalid(
            KEY,
            format!("{class} needs username=\"…\" and password=\"…\""),
        )),
    }
}

/// Translates the security keys of `settings` (one client's layered Java settings) into
/// librdkafka settings, appended to `out`. Every problem is returned; nothing is dropped
/// silently.
pub fn translate(
    settings: &BTreeMap<String, String>,
    out: &mut BTreeMap<String, String>,
) -> Result<(), Vec<SecurityError>> {
    let mut errors = Vec::new();
    let get = |k: &str| settings.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    for (key, value) in settings.iter().filter(|(k, _)| is_security_key(k)) {
        let v = value.trim();
        // An empty value is Kafka's "unset", except for host name checks, where it means none.
        if v.is_empty() && key != "ssl.endpoint.identification.algorithm" {
            continue;
        }
        match key.as_str() {
            "security.protocol" => match v.to_ascii_uppercase().as_str() {
                p @ ("PLAINTEXT" | "SSL" | "SASL_PLAINTEXT" | "SASL_SSL") => {
                    out.insert(key.clone(), p.to_ascii_lowercase());
                }
                other => errors.push(invalid(
                    key,
                    format!("'{other}': expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL"),
                )),
            },
            "sasl.mechanism" => match v.to_ascii_uppercase().as_str() {
                m @ ("PLAIN" | "SCRAM-SHA-256" | "SCRAM-SHA-512") => {
                    out.insert("sasl.mechanisms".into(), m.to_owned());
                }
                other => errors.push(unsupported(
                    key,
                    format!("'{other}' (this worker speaks SASL PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512)"),
                )),
            },
            "sasl.jaas.config" => match jaas_credentials(v) {
                Ok((u, p)) => {
                    out.insert("sasl.username".into(), u);
                    out.insert("sasl.password".into(), p);
                }
                Err(e) => errors.push(e),
            },
            "ssl.truststore.location" => {
                let password = get("ssl.truststore.password").unwrap_or_default();
                match store_kind(key, v, get("ssl.truststore.type")) {
                    Ok(StoreKind::Pem) => {
                        out.insert("ssl.ca.location".into(), v.to_owned());
                    }
                    Ok(StoreKind::Pkcs12) => match pkcs12_certificates(key, v, password) {
                        Ok(pem) => {
                            out.insert("ssl.ca.pem".into(), pem);
                        }
                        Err(e) => errors.push(e),
                    },
                    Ok(StoreKind::Jks) => errors.push(unsupported(
                        key,
                        format!("{v} is a JKS store, which this worker cannot read: {}", keytool_hint(v)),
                    )),
                    Err(e) => errors.push(e),
                }
            }
            "ssl.truststore.certificates" => {
                out.insert("ssl.ca.pem".into(), v.to_owned());
            }
            "ssl.keystore.location" => match store_kind(key, v, get("ssl.keystore.type")) {
                Ok(StoreKind::Pkcs12) => {
                    out.insert("ssl.keystore.location".into(), v.to_owned());
                    if let Some(p) = get("ssl.keystore.password") {
                        out.insert("ssl.keystore.password".into(), p.to_owned());
                    }
                }
                Ok(StoreKind::Pem) => {
                    out.insert("ssl.key.location".into(), v.to_owned());
                    out.insert("ssl.certificate.location".into(), v.to_owned());
                }
                Ok(StoreKind::Jks) => errors.push(unsupported(
                    key,
                    format!("{v} is a JKS store, which this worker cannot read: {}", keytool_hint(v)),
                )),
                Err(e) => errors.push(e),
            },
            "ssl.keystore.key" => {
                out.insert("ssl.key.pem".into(), v.to_owned());
            }
            "ssl.keystore.certificate.chain" => {
                out.insert("ssl.certificate.pem".into(), v.to_owned());
            }
            "ssl.key.password" => {
                out.insert("ssl.key.password".into(), v.to_owned());
            }
            "ssl.endpoint.identification.algorithm" => match v.to_ascii_lowercase().as_str() {
                "" => {
                    out.insert(key.clone(), "none".into());
                }
                "https" => {
                    out.insert(key.clone(), "https".into());
                }
                other => errors.push(invalid(
                    key,
                    format!("'{other}': expected https or an empty value"),
                )),
            },
            // Read with the keys above.
            "ssl.truststore.type" | "ssl.truststore.password" | "ssl.keystore.type"
            | "ssl.keystore.password" => {}
            // A server's setting (the REST listeners read it, see `rest_tls`); Java's clients
            // ignore it too.
            "ssl.client.auth" => {}
            _ => match default_only(key, v) {
                Some(Ok(())) => {}
                Some(Err(e)) => errors.push(e),
                None => errors.push(unsupported(
                    key,
                    "this worker translates security.protocol, sasl.mechanism, sasl.jaas.config and the ssl truststore, keystore and key settings for librdkafka; remove the key",
                )),
            },
        }
    }
    for (store, default_type) in [
        ("ssl.truststore.type", JAVA_STORE_DEFAULT),
        ("ssl.keystore.type", JAVA_STORE_DEFAULT),
    ] {
        let location = store.replace(".type", ".location");
        if let Some(t) = get(store)
            && get(&location).is_none()
            && !t.eq_ignore_ascii_case(default_type)
            && !t.eq_ignore_ascii_case("PEM")
        {
            errors.push(invalid(
                store,
                format!("'{t}' is set but {location} is not: set the store's location"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(pairs: &[(&str, &str)]) -> Result<BTreeMap<String, String>, Vec<SecurityError>> {
        let settings: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut out = BTreeMap::new();
        translate(&settings, &mut out).map(|()| out)
    }

    #[test]
    fn sasl_scram_over_tls_with_a_pem_truststore() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(
            &ca,
            "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let out = run(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="connect" password="s3 \"cr\"et";"#,
            ),
            ("ssl.truststore.location", ca.to_str().unwrap()),
            ("ssl.truststore.type", "PEM"),
            ("ssl.endpoint.identification.algorithm", ""),
            ("ssl.protocol", "TLSv1.3"),
        ])
        .unwrap();
        assert_eq!(out["security.protocol"], "sasl_ssl");
        assert_eq!(out["sasl.mechanisms"], "SCRAM-SHA-512");
        assert_eq!(out["sasl.username"], "connect");
        assert_eq!(out["sasl.password"], "s3 \"cr\"et");
        assert_eq!(out["ssl.ca.location"], ca.to_str().unwrap());
        assert_eq!(out["ssl.endpoint.identification.algorithm"], "none");
        assert!(!out.contains_key("ssl.protocol"));
    }

    #[test]
    fn jks_stores_are_refused_with_the_keytool_command() {
        let dir = tempfile::tempdir().unwrap();
        let jks = dir.path().join("trust.jks");
        std::fs::write(&jks, [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]).unwrap();
        let errors = run(&[("ssl.truststore.location", jks.to_str().unwrap())]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].unsupported);
        assert!(
            errors[0]
                .message
                .contains("keytool -importkeystore -srckeystore")
                && errors[0].message.contains("-deststoretype PKCS12"),
            "{}",
            errors[0].message
        );
    }

    #[test]
    fn java_only_mechanisms_modules_and_keys_are_refused() {
        let errors = run(&[
            ("sasl.mechanism", "GSSAPI"),
            (
                "sasl.jaas.config",
                "com.sun.security.auth.module.Krb5LoginModule required useKeyTab=true;",
            ),
            ("sasl.login.class", "com.example.Login"),
            ("ssl.cipher.suites", "TLS_AES_128_GCM_SHA256"),
            ("sasl.oauthbearer.token.endpoint.url", "https://idp"),
        ])
        .unwrap_err();
        let keys: Vec<&str> = errors.iter().map(|e| e.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "sasl.jaas.config",
                "sasl.login.class",
                "sasl.mechanism",
                "sasl.oauthbearer.token.endpoint.url",
                "ssl.cipher.suites"
            ]
        );
        assert!(errors.iter().all(|e| e.unsupported));
    }

    #[test]
    fn plain_credentials_and_a_pkcs12_keystore() {
        let (u, p) = jaas_credentials(
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=alice password=\"a;b\";",
        )
        .unwrap();
        assert_eq!((u.as_str(), p.as_str()), ("alice", "a;b"));
        let dir = tempfile::tempdir().unwrap();
        let ks = dir.path().join("client.p12");
        std::fs::write(&ks, [0x30, 0x82, 0x01]).unwrap();
        let out = run(&[
            ("ssl.keystore.location", ks.to_str().unwrap()),
            ("ssl.keystore.type", "PKCS12"),
            ("ssl.keystore.password", "pw"),
            ("ssl.key.password", "kpw"),
        ])
        .unwrap();
        assert_eq!(out["ssl.keystore.location"], ks.to_str().unwrap());
        assert_eq!(out["ssl.keystore.password"], "pw");
        assert_eq!(out["ssl.key.password"], "kpw");
        assert!(jaas_credentials("PlainLoginModule required username=\"x\";").is_err());
    }
}
