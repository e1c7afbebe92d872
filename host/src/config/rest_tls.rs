//! TLS of the REST API, from Java's keys: the key and certificate an `https://` listener
//! presents, the certificates it trusts (for client certificates, and for this worker's own
//! requests to other workers' `https://` URLs), `ssl.client.auth`, and the host-name check of
//! those requests.
//!
//! As in Kafka's `RestServerConfig`, the settings are taken all or nothing: when any
//! `listeners.https.ssl.*` key is set (`admin.listeners.https.ssl.*` for the admin listeners),
//! those keys alone apply; otherwise the worker's top-level `ssl.*` keys do.
//!
//! | Java key | here |
//! |---|---|
//! | `ssl.keystore.location` PKCS12 or PEM (key and chain in one file), `ssl.keystore.type`, `ssl.keystore.password`, `ssl.key.password` | the listener's key and certificate chain |
//! | `ssl.keystore.key` + `ssl.keystore.certificate.chain` (PEM text) | the same, inline |
//! | `ssl.truststore.location` PKCS12 or PEM, `ssl.truststore.password`, `ssl.truststore.certificates` | trusted CAs (else the system's) |
//! | `ssl.client.auth` `none` / `requested` / `required` | whether the listener asks for, or requires, a client certificate |
//! | `ssl.endpoint.identification.algorithm` `https` (default) / empty | whether requests to other workers check their host name |
//!
//! JKS stores are refused with the `keytool` command that converts them; the keys of Java
//! facilities (providers, key managers, cipher names) only at Kafka's default.

use std::collections::BTreeMap;

use openssl::{
    pkcs12::Pkcs12,
    pkey::{PKey, Private},
    x509::X509,
};

use super::kafka_security::{
    SecurityError, StoreKind, default_only, invalid, keytool_hint, store_kind, unsupported,
};

/// The prefix of the main listeners' TLS keys.
pub const LISTENERS_PREFIX: &str = "listeners.https.";
/// The prefix of the admin listeners' TLS keys.
pub const ADMIN_LISTENERS_PREFIX: &str = "admin.listeners.https.";

/// Whether an `https://` listener asks its clients for a certificate (`ssl.client.auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// No client certificate is asked for (Kafka's default).
    None,
    /// A certificate is asked for; a client without one is still served.
    Requested,
    /// A client without a trusted certificate cannot connect.
    Required,
}

/// The TLS keys that apply to one kind of listener, as written (Java keys, prefix stripped),
/// and where they came from, for messages that name the key the user wrote. Its `Debug` shows
/// passwords and inline keys as `[hidden]`.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct TlsSettings {
    /// `ssl.*` keys.
    pub keys: BTreeMap<String, String>,
    /// The prefix they were written with (`listeners.https.`, `admin.listeners.https.` or empty).
    pub prefix: &'static str,
}

impl std::fmt::Debug for TlsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let shown: BTreeMap<&str, &str> = self
            .keys
            .iter()
            .map(|(k, v)| {
                let secret = k.ends_with(".password") || k == "ssl.keystore.key";
                (k.as_str(), if secret { "[hidden]" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("TlsSettings")
            .field("keys", &shown)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl TlsSettings {
    /// Kafka's all-or-nothing rule: the `prefix`ed keys (`prefixed`, prefix stripped) if any
    /// `ssl.*` key is among them, else the top-level `ssl.*` keys of `top`.
    pub fn select(
        prefixed: &BTreeMap<String, String>,
        prefix: &'static str,
        top: &BTreeMap<String, String>,
    ) -> TlsSettings {
        let ssl = |m: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            m.iter()
                .filter(|(k, _)| k.starts_with("ssl."))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let own = ssl(prefixed);
        if own.is_empty() {
            TlsSettings {
                keys: ssl(top),
                prefix: "",
            }
        } else {
            TlsSettings { keys: own, prefix }
        }
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.keys
            .get(key)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// `key` as the user wrote it.
    fn named(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }
}

/// A key and its certificate chain (the listener's own certificate first).
#[derive(Clone)]
pub struct Identity {
    /// Leaf first, then intermediates.
    pub chain: Vec<X509>,
    /// The private key of the leaf.
    pub key: PKey<Private>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        let subjects: Vec<String> = self
            .chain
            .iter()
            .map(|c| format!("{:?}", c.subject_name()))
            .collect();
        f.debug_struct("Identity")
            .field("chain", &subjects)
            .finish_non_exhaustive()
    }
}

/// The loaded TLS material and choices of one kind of listener.
#[derive(Debug, Clone)]
pub struct RestTls {
    /// The key and chain (`None` when no keystore is set: fine for a client, not for a listener).
    pub identity: Option<Identity>,
    /// Trusted CAs; empty means the system's.
    pub trust: Vec<X509>,
    /// `ssl.client.auth`.
    pub client_auth: ClientAuth,
    /// `ssl.endpoint.identification.algorithm` is `https` (the default), not empty.
    pub verify_hostname: bool,
}

impl RestTls {
    /// Reads the stores `settings` name. Every problem is returned, each naming the key as
    /// written and the fix.
    pub fn load(settings: &TlsSettings) -> Result<RestTls, Vec<SecurityError>> {
        let mut errors = Vec::new();
        let mut tls = RestTls {
            identity: None,
            trust: Vec::new(),
            client_auth: ClientAuth::None,
            verify_hostname: true,
        };
        for (key, value) in &settings.keys {
            let v = value.trim();
            let named = settings.named(key);
            let checked = match key.as_str() {
                "ssl.client.auth" => match v.to_ascii_lowercase().as_str() {
                    "" | "none" => Ok(()),
                    "requested" => {
                        tls.client_auth = ClientAuth::Requested;
                        Ok(())
                    }
                    "required" => {
                        tls.client_auth = ClientAuth::Required;
                        Ok(())
                    }
                    other => Err(invalid(
                        &named,
                        format!("'{other}': expected none, requested or required"),
                    )),
                },
                "ssl.endpoint.identification.algorithm" => match v.to_ascii_lowercase().as_str() {
                    "" => {
                        tls.verify_hostname = false;
                        Ok(())
                    }
                    "https" => Ok(()),
                    other => Err(invalid(
                        &named,
                        format!("'{other}': expected https or an empty value"),
                    )),
                },
                // Read below, as the stores they belong to.
                "ssl.keystore.location"
                | "ssl.keystore.type"
                | "ssl.keystore.password"
                | "ssl.key.password"
                | "ssl.keystore.key"
                | "ssl.keystore.certificate.chain"
                | "ssl.truststore.location"
                | "ssl.truststore.type"
                | "ssl.truststore.password"
                | "ssl.truststore.certificates" => Ok(()),
                _ => match default_only(key, v) {
                    Some(checked) => checked.map_err(|e| SecurityError { key: named, ..e }),
                    None if v.is_empty() => Ok(()),
                    None => Err(unsupported(
                        &named,
                        "not a TLS setting of the REST listeners this worker knows (they read the \
                         keystore, truststore, ssl.client.auth and \
                         ssl.endpoint.identification.algorithm keys); remove the key",
                    )),
                },
            };
            if let Err(e) = checked {
                errors.push(e);
            }
        }
        match identity(settings) {
            Ok(id) => tls.identity = id,
            Err(e) => errors.push(e),
        }
        match trust(settings) {
            Ok(certs) => tls.trust = certs,
            Err(e) => errors.push(e),
        }
        if errors.is_empty() {
            Ok(tls)
        } else {
            Err(errors)
        }
    }
}

/// The key and chain of `ssl.keystore.*` (file) or `ssl.keystore.key`/`…certificate.chain`
/// (PEM text), if any.
fn identity(s: &TlsSettings) -> Result<Option<Identity>, SecurityError> {
    let key_password = s.get("ssl.key.password");
    if let Some(path) = s.get("ssl.keystore.location") {
        let key = s.named("ssl.keystore.location");
        let password = s.get("ssl.keystore.password").unwrap_or_default();
        return match store_kind(&key, path, s.get("ssl.keystore.type")).map_err(|e| {
            SecurityError {
                key: key.clone(),
                ..e
            }
        })? {
            StoreKind::Jks => Err(unsupported(
                &key,
                format!(
                    "{path} is a JKS store, which this worker cannot read: {}",
                    keytool_hint(path)
                ),
            )),
            StoreKind::Pkcs12 => {
                let der = read(&key, path)?;
                let parsed = Pkcs12::from_der(&der)
                    .and_then(|p| p.parse2(password))
                    .map_err(|e| {
                        invalid(
                            &key,
                            format!(
                                "cannot open the PKCS12 store {path}: {e} (check {})",
                                s.named("ssl.keystore.password")
                            ),
                        )
                    })?;
                let (Some(cert), Some(pkey)) = (parsed.cert, parsed.pkey) else {
                    return Err(invalid(
                        &key,
                        format!("the PKCS12 store {path} holds no key with its certificate"),
                    ));
                };
                let mut chain = vec![cert];
                chain.extend(parsed.ca.into_iter().flatten());
                Ok(Some(Identity { chain, key: pkey }))
            }
            StoreKind::Pem => {
                let text = read(&key, path)?;
                pem_identity(&key, &text, &text, key_password).map(Some)
            }
        };
    }
    match (
        s.get("ssl.keystore.key"),
        s.get("ssl.keystore.certificate.chain"),
    ) {
        (Some(k), Some(chain)) => pem_identity(
            &s.named("ssl.keystore.key"),
            k.as_bytes(),
            chain.as_bytes(),
            key_password,
        )
        .map(Some),
        (Some(_), None) => Err(invalid(
            &s.named("ssl.keystore.key"),
            format!(
                "is set without {}: set the certificate chain (PEM) too",
                s.named("ssl.keystore.certificate.chain")
            ),
        )),
        (None, Some(_)) => Err(invalid(
            &s.named("ssl.keystore.certificate.chain"),
            format!(
                "is set without {}: set the private key (PEM) too",
                s.named("ssl.keystore.key")
            ),
        )),
        (None, None) => Ok(None),
    }
}

fn read(key: &str, path: &str) -> Result<Vec<u8>, SecurityError> {
    std::fs::read(path).map_err(|e| {
        invalid(
            key,
            format!("cannot read {path}: {e} (check the path and its permissions)"),
        )
    })
}

fn pem_identity(
    key: &str,
    key_pem: &[u8],
    chain_pem: &[u8],
    password: Option<&str>,
) -> Result<Identity, SecurityError> {
    let pkey = match password {
        Some(p) => PKey::private_key_from_pem_passphrase(key_pem, p.as_bytes()),
        None => PKey::private_key_from_pem(key_pem),
    }
    .map_err(|e| {
        invalid(
            key,
            format!("holds no readable private key (PEM): {e}; if the key is encrypted, set ssl.key.password"),
        )
    })?;
    let chain = X509::stack_from_pem(chain_pem)
        .map_err(|e| invalid(key, format!("holds no readable certificate (PEM): {e}")))?;
    if chain.is_empty() {
        return Err(invalid(key, "holds no certificate (PEM)"));
    }
    Ok(Identity { chain, key: pkey })
}

/// The CAs of `ssl.truststore.*`, if any.
fn trust(s: &TlsSettings) -> Result<Vec<X509>, SecurityError> {
    if let Some(text) = s.get("ssl.truststore.certificates") {
        let key = s.named("ssl.truststore.certificates");
        return X509::stack_from_pem(text.as_bytes())
            .map_err(|e| invalid(&key, format!("holds no readable certificate (PEM): {e}")));
    }
    let Some(path) = s.get("ssl.truststore.location") else {
        return Ok(Vec::new());
    };
    let key = s.named("ssl.truststore.location");
    match store_kind(&key, path, s.get("ssl.truststore.type")).map_err(|e| SecurityError {
        key: key.clone(),
        ..e
    })? {
        StoreKind::Jks => Err(unsupported(
            &key,
            format!(
                "{path} is a JKS store, which this worker cannot read: {}",
                keytool_hint(path)
            ),
        )),
        StoreKind::Pem => X509::stack_from_pem(&read(&key, path)?)
            .map_err(|e| invalid(&key, format!("{path} holds no readable certificate: {e}"))),
        StoreKind::Pkcs12 => {
            let password = s.get("ssl.truststore.password").unwrap_or_default();
            let parsed = Pkcs12::from_der(&read(&key, path)?)
                .and_then(|p| p.parse2(password))
                .map_err(|e| {
                    invalid(
                        &key,
                        format!(
                            "cannot open the PKCS12 store {path}: {e} (check {})",
                            s.named("ssl.truststore.password")
                        ),
                    )
                })?;
            let certs: Vec<X509> = parsed.ca.into_iter().flatten().chain(parsed.cert).collect();
            if certs.is_empty() {
                return Err(invalid(
                    &key,
                    format!("the PKCS12 store {path} holds no certificate"),
                ));
            }
            Ok(certs)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A self-signed certificate for `localhost` and its key, as PEM (also the worker config
    /// tests' keystore).
    pub(crate) fn self_signed() -> (String, String) {
        use openssl::{
            asn1::Asn1Time, bn::BigNum, hash::MessageDigest, rsa::Rsa, x509::X509NameBuilder,
        };
        let key = PKey::from_rsa(Rsa::generate(2048).unwrap()).unwrap();
        let mut name = X509NameBuilder::new().unwrap();
        name.append_entry_by_text("CN", "localhost").unwrap();
        let name = name.build();
        let mut b = X509::builder().unwrap();
        b.set_version(2).unwrap();
        b.set_serial_number(&BigNum::from_u32(1).unwrap().to_asn1_integer().unwrap())
            .unwrap();
        b.set_subject_name(&name).unwrap();
        b.set_issuer_name(&name).unwrap();
        b.set_pubkey(&key).unwrap();
        b.set_not_before(&Asn1Time::days_from_now(0).unwrap())
            .unwrap();
        b.set_not_after(&Asn1Time::days_from_now(1).unwrap())
            .unwrap();
        b.sign(&key, MessageDigest::sha256()).unwrap();
        let cert = String::from_utf8(b.build().to_pem().unwrap()).unwrap();
        let key = String::from_utf8(key.private_key_to_pem_pkcs8().unwrap()).unwrap();
        (cert, key)
    }

    #[test]
    fn prefixed_keys_replace_the_top_level_ones_all_or_nothing() {
        let top = map(&[
            ("ssl.keystore.location", "/top.p12"),
            ("ssl.client.auth", "required"),
            ("security.protocol", "SSL"),
        ]);
        let none = TlsSettings::select(&BTreeMap::new(), LISTENERS_PREFIX, &top);
        assert_eq!(none.prefix, "");
        assert_eq!(none.keys.len(), 2, "only ssl.* keys: {none:?}");
        let own = map(&[("ssl.keystore.location", "/own.p12")]);
        let chosen = TlsSettings::select(&own, LISTENERS_PREFIX, &top);
        assert_eq!(chosen.prefix, LISTENERS_PREFIX);
        // ssl.client.auth of the top level does not leak in.
        assert_eq!(chosen.keys, own);
    }

    #[test]
    fn debug_output_hides_passwords_and_inline_keys() {
        let settings = TlsSettings {
            keys: map(&[
                ("ssl.keystore.password", "ks-secret"),
                ("ssl.key.password", "key-secret"),
                ("ssl.keystore.key", "-----BEGIN PRIVATE KEY-----"),
                ("ssl.keystore.location", "/etc/ks.p12"),
            ]),
            prefix: LISTENERS_PREFIX,
        };
        let shown = format!("{settings:?}");
        for secret in ["ks-secret", "key-secret", "BEGIN PRIVATE KEY"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("/etc/ks.p12"), "{shown}");
    }

    #[test]
    fn pem_text_identity_client_auth_and_hostname_check() {
        let (cert, key) = self_signed();
        let settings = TlsSettings {
            keys: map(&[
                ("ssl.keystore.key", &key),
                ("ssl.keystore.certificate.chain", &cert),
                ("ssl.truststore.certificates", &cert),
                ("ssl.client.auth", "REQUIRED"),
                ("ssl.endpoint.identification.algorithm", ""),
                ("ssl.protocol", "TLSv1.3"),
            ]),
            prefix: LISTENERS_PREFIX,
        };
        let tls = RestTls::load(&settings).unwrap();
        assert_eq!(tls.identity.unwrap().chain.len(), 1);
        assert_eq!(tls.trust.len(), 1);
        assert_eq!(tls.client_auth, ClientAuth::Required);
        assert!(!tls.verify_hostname);
    }

    #[test]
    fn problems_name_the_key_as_written_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let jks = dir.path().join("store.jks");
        std::fs::write(&jks, [0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2]).unwrap();
        let (_, key) = self_signed();
        let settings = TlsSettings {
            keys: map(&[
                ("ssl.truststore.location", jks.to_str().unwrap()),
                ("ssl.keystore.key", &key),
                ("ssl.client.auth", "maybe"),
                ("ssl.provider", "BC"),
                ("ssl.whatever", "x"),
            ]),
            prefix: LISTENERS_PREFIX,
        };
        let errors = RestTls::load(&settings).unwrap_err();
        let text: Vec<String> = errors
            .iter()
            .map(|e| format!("{}: {}", e.key, e.message))
            .collect();
        let has = |needle: &str| text.iter().any(|t| t.contains(needle));
        assert!(has("listeners.https.ssl.truststore.location: "), "{text:?}");
        assert!(has("keytool -importkeystore"), "{text:?}");
        assert!(
            has(
                "listeners.https.ssl.keystore.key: is set without listeners.https.ssl.keystore.certificate.chain"
            ),
            "{text:?}"
        );
        assert!(
            has("listeners.https.ssl.client.auth: 'maybe': expected none, requested or required"),
            "{text:?}"
        );
        assert!(has("listeners.https.ssl.provider: 'BC'"), "{text:?}");
        assert!(has("listeners.https.ssl.whatever: "), "{text:?}");
        assert_eq!(errors.len(), 5, "{text:?}");
    }

    #[test]
    fn a_pem_keystore_file_with_key_and_chain() {
        let (cert, key) = self_signed();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("keystore.pem");
        std::fs::write(&file, format!("{key}{cert}")).unwrap();
        let settings = TlsSettings {
            keys: map(&[("ssl.keystore.location", file.to_str().unwrap())]),
            prefix: "",
        };
        let tls = RestTls::load(&settings).unwrap();
        assert!(tls.identity.is_some());
        assert!(tls.trust.is_empty());
        assert_eq!(tls.client_auth, ClientAuth::None);
        assert!(tls.verify_hostname);
    }
}
