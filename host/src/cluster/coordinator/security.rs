//! TLS and SASL for the group membership client's own connections (librdkafka's clients get
//! the same worker settings through `config::kafka_client`): the worker-wide Java keys
//! (`security.protocol`, `ssl.*`, `sasl.*`), already checked by `config::kafka_security`, turned
//! into an OpenSSL connector and SASL credentials.
//!
//! SASL follows KIP-152: after ApiVersions, `SaslHandshake` (v1) names the mechanism, then
//! `SaslAuthenticate` frames carry PLAIN's one message or SCRAM's two rounds (RFC 5802/7677,
//! with the server's signature checked).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::ssl::{SslConnector, SslMethod, SslVerifyMode};
use openssl::x509::X509;

use crate::config::kafka_security::jaas_credentials;

/// A SASL mechanism this client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// RFC 4616.
    Plain,
    /// RFC 7677, SHA-256.
    ScramSha256,
    /// SCRAM with SHA-512.
    ScramSha512,
}

impl Mechanism {
    /// The name the broker knows it by.
    pub fn name(self) -> &'static str {
        match self {
            Mechanism::Plain => "PLAIN",
            Mechanism::ScramSha256 => "SCRAM-SHA-256",
            Mechanism::ScramSha512 => "SCRAM-SHA-512",
        }
    }

    fn digest(self) -> MessageDigest {
        match self {
            Mechanism::ScramSha512 => MessageDigest::sha512(),
            _ => MessageDigest::sha256(),
        }
    }
}

/// SASL credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct Sasl {
    /// The mechanism.
    pub mechanism: Mechanism,
    /// The user.
    pub username: String,
    /// The password.
    pub password: String,
}

impl std::fmt::Debug for Sasl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Sasl({}, {}, [hidden])",
            self.mechanism.name(),
            self.username
        )
    }
}

/// How connections to brokers are secured.
#[derive(Clone, Default)]
pub struct WireSecurity {
    /// TLS, and how (SSL and SASL_SSL).
    pub tls: Option<(SslConnector, bool)>,
    /// SASL (SASL_PLAINTEXT and SASL_SSL).
    pub sasl: Option<Sasl>,
}

/// Equal when they secure alike: TLS on or off with the same host check, the same SASL login
/// (OpenSSL connectors themselves do not compare).
impl PartialEq for WireSecurity {
    fn eq(&self, other: &Self) -> bool {
        self.tls.as_ref().map(|(_, v)| *v) == other.tls.as_ref().map(|(_, v)| *v)
            && self.sasl == other.sasl
    }
}

impl Eq for WireSecurity {}

impl std::fmt::Debug for WireSecurity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WireSecurity")
            .field("tls", &self.tls.is_some())
            .field("sasl", &self.sasl)
            .finish()
    }
}

fn tls_error(what: &str, e: impl std::fmt::Display) -> String {
    format!("TLS settings of the group membership client: {what}: {e}")
}

impl WireSecurity {
    /// PLAINTEXT.
    pub fn plaintext() -> WireSecurity {
        WireSecurity::default()
    }

    /// From the worker-wide Java client settings (`config::kafka_client::java_settings` with
    /// `Layers::Worker`).
    pub fn from_settings(java: &BTreeMap<String, String>) -> Result<WireSecurity, String> {
        let get = |k: &str| java.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let protocol = get("security.protocol")
            .unwrap_or("PLAINTEXT")
            .to_ascii_uppercase();
        let (tls, sasl) = match protocol.as_str() {
            "PLAINTEXT" => (false, false),
            "SSL" => (true, false),
            "SASL_PLAINTEXT" => (false, true),
            "SASL_SSL" => (true, true),
            other => return Err(format!("security.protocol '{other}' is not supported")),
        };
        let sasl = if sasl {
            let mechanism = match get("sasl.mechanism")
                .unwrap_or("GSSAPI")
                .to_ascii_uppercase()
                .as_str()
            {
                "PLAIN" => Mechanism::Plain,
                "SCRAM-SHA-256" => Mechanism::ScramSha256,
                "SCRAM-SHA-512" => Mechanism::ScramSha512,
                other => return Err(format!("sasl.mechanism '{other}' is not supported")),
            };
            let (username, password) = jaas_credentials(get("sasl.jaas.config").unwrap_or(""))
                .map_err(|e| format!("{}: {}", e.key, e.message))?;
            Some(Sasl {
                mechanism,
                username,
                password,
            })
        } else {
            None
        };
        let tls = if tls { Some(connector(java)?) } else { None };
        Ok(WireSecurity { tls, sasl })
    }
}

/// The OpenSSL connector for the truststore, keystore and host-name settings.
fn connector(java: &BTreeMap<String, String>) -> Result<(SslConnector, bool), String> {
    let get = |k: &str| java.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut b =
        SslConnector::builder(SslMethod::tls_client()).map_err(|e| tls_error("OpenSSL", e))?;
    b.set_verify(SslVerifyMode::PEER);
    let store_type = |k: &str| get(k).map(str::to_ascii_uppercase);
    if let Some(pem) = get("ssl.truststore.certificates") {
        for cert in X509::stack_from_pem(pem.as_bytes())
            .map_err(|e| tls_error("ssl.truststore.certificates", e))?
        {
            b.cert_store_mut()
                .add_cert(cert)
                .map_err(|e| tls_error("ssl.truststore.certificates", e))?;
        }
    }
    if let Some(path) = get("ssl.truststore.location") {
        let bytes = std::fs::read(path).map_err(|e| tls_error(path, e))?;
        let certs = if store_type("ssl.truststore.type").as_deref() == Some("PKCS12")
            || bytes.first() == Some(&0x30)
        {
            let parsed = openssl::pkcs12::Pkcs12::from_der(&bytes)
                .and_then(|p| p.parse2(get("ssl.truststore.password").unwrap_or("")))
                .map_err(|e| tls_error(path, e))?;
            parsed.ca.into_iter().flatten().chain(parsed.cert).collect()
        } else {
            X509::stack_from_pem(&bytes).map_err(|e| tls_error(path, e))?
        };
        for cert in certs {
            b.cert_store_mut()
                .add_cert(cert)
                .map_err(|e| tls_error(path, e))?;
        }
    }
    let key_password = get("ssl.key.password");
    match (get("ssl.keystore.location"), get("ssl.keystore.key")) {
        (Some(path), _) => {
            let bytes = std::fs::read(path).map_err(|e| tls_error(path, e))?;
            if store_type("ssl.keystore.type").as_deref() == Some("PEM")
                || String::from_utf8_lossy(&bytes).contains("-----BEGIN")
            {
                let key = match key_password {
                    Some(p) => PKey::private_key_from_pem_passphrase(&bytes, p.as_bytes()),
                    None => PKey::private_key_from_pem(&bytes),
                }
                .map_err(|e| tls_error(path, e))?;
                b.set_private_key(&key).map_err(|e| tls_error(path, e))?;
                b.set_certificate_chain_file(path)
                    .map_err(|e| tls_error(path, e))?;
            } else {
                let parsed = openssl::pkcs12::Pkcs12::from_der(&bytes)
                    .and_then(|p| p.parse2(get("ssl.keystore.password").unwrap_or("")))
                    .map_err(|e| tls_error(path, e))?;
                if let Some(key) = parsed.pkey {
                    b.set_private_key(&key).map_err(|e| tls_error(path, e))?;
                }
                if let Some(cert) = parsed.cert {
                    b.set_certificate(&cert).map_err(|e| tls_error(path, e))?;
                }
                for extra in parsed.ca.into_iter().flatten() {
                    b.add_extra_chain_cert(extra)
                        .map_err(|e| tls_error(path, e))?;
                }
            }
        }
        (None, Some(key)) => {
            let key = match key_password {
                Some(p) => PKey::private_key_from_pem_passphrase(key.as_bytes(), p.as_bytes()),
                None => PKey::private_key_from_pem(key.as_bytes()),
            }
            .map_err(|e| tls_error("ssl.keystore.key", e))?;
            b.set_private_key(&key)
                .map_err(|e| tls_error("ssl.keystore.key", e))?;
            let chain = get("ssl.keystore.certificate.chain").unwrap_or("");
            let mut certs = X509::stack_from_pem(chain.as_bytes())
                .map_err(|e| tls_error("ssl.keystore.certificate.chain", e))?
                .into_iter();
            if let Some(first) = certs.next() {
                b.set_certificate(&first)
                    .map_err(|e| tls_error("ssl.keystore.certificate.chain", e))?;
            }
            for extra in certs {
                b.add_extra_chain_cert(extra)
                    .map_err(|e| tls_error("ssl.keystore.certificate.chain", e))?;
            }
        }
        (None, None) => {}
    }
    // Java's default checks the broker's host name (`https`); empty turns it off.
    let verify_host = java
        .get("ssl.endpoint.identification.algorithm")
        .is_none_or(|v| v.trim().eq_ignore_ascii_case("https"));
    Ok((b.build(), verify_host))
}

/// The SASL exchange of one mechanism: the messages the client sends, given the server's.
pub struct Exchange {
    sasl: Sasl,
    nonce: String,
    client_first_bare: String,
    server_signature: Option<Vec<u8>>,
}

fn hmac(digest: MessageDigest, key: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    let key = PKey::hmac(key).map_err(|e| e.to_string())?;
    let mut signer = openssl::sign::Signer::new(digest, &key).map_err(|e| e.to_string())?;
    signer.update(data).map_err(|e| e.to_string())?;
    signer.sign_to_vec().map_err(|e| e.to_string())
}

/// `saslname` of RFC 5802: `=` and `,` escaped.
fn sasl_name(name: &str) -> String {
    name.replace('=', "=3D").replace(',', "=2C")
}

impl Exchange {
    /// Starts an exchange with fresh randomness.
    pub fn new(sasl: &Sasl) -> Result<Exchange, String> {
        let mut random = [0u8; 24];
        openssl::rand::rand_bytes(&mut random).map_err(|e| e.to_string())?;
        Ok(Exchange::with_nonce(sasl, &B64.encode(random)))
    }

    /// Starts an exchange with `nonce` (tests use RFC 7677's).
    pub fn with_nonce(sasl: &Sasl, nonce: &str) -> Exchange {
        Exchange {
            sasl: sasl.clone(),
            nonce: nonce.to_owned(),
            client_first_bare: format!("n={},r={nonce}", sasl_name(&sasl.username)),
            server_signature: None,
        }
    }

    /// The client's first message.
    pub fn first(&self) -> Vec<u8> {
        match self.sasl.mechanism {
            Mechanism::Plain => {
                format!("\0{}\0{}", self.sasl.username, self.sasl.password).into_bytes()
            }
            _ => format!("n,,{}", self.client_first_bare).into_bytes(),
        }
    }

    /// The client's answer to the server's first SCRAM message.
    pub fn answer(&mut self, server_first: &[u8]) -> Result<Vec<u8>, String> {
        let text = std::str::from_utf8(server_first)
            .map_err(|_| "the broker's SCRAM message is not UTF-8".to_string())?;
        let field = |name: &str| {
            text.split(',')
                .find_map(|part| part.strip_prefix(&format!("{name}=")))
                .ok_or_else(|| format!("the broker's SCRAM message lacks {name}=: {text}"))
        };
        let nonce = field("r")?;
        if !nonce.starts_with(&self.nonce) {
            return Err("the broker's SCRAM nonce does not extend ours".into());
        }
        let salt = B64
            .decode(field("s")?)
            .map_err(|e| format!("the broker's SCRAM salt: {e}"))?;
        let iterations: usize = field("i")?
            .parse()
            .map_err(|e| format!("the broker's SCRAM iteration count: {e}"))?;
        let digest = self.sasl.mechanism.digest();
        let mut salted = vec![0u8; digest.size()];
        openssl::pkcs5::pbkdf2_hmac(
            self.sasl.password.as_bytes(),
            &salt,
            iterations,
            digest,
            &mut salted,
        )
        .map_err(|e| e.to_string())?;
        let client_key = hmac(digest, &salted, b"Client Key")?;
        let stored_key = openssl::hash::hash(digest, &client_key).map_err(|e| e.to_string())?;
        let without_proof = format!("c=biws,r={nonce}");
        let auth_message = format!("{},{text},{without_proof}", self.client_first_bare);
        let signature = hmac(digest, &stored_key, auth_message.as_bytes())?;
        let proof: Vec<u8> = client_key
            .iter()
            .zip(&signature)
            .map(|(a, b)| a ^ b)
            .collect();
        let server_key = hmac(digest, &salted, b"Server Key")?;
        self.server_signature = Some(hmac(digest, &server_key, auth_message.as_bytes())?);
        Ok(format!("{without_proof},p={}", B64.encode(proof)).into_bytes())
    }

    /// Checks the server's final SCRAM message (its signature proves it knows the password).
    pub fn verify(&self, server_final: &[u8]) -> Result<(), String> {
        let text = String::from_utf8_lossy(server_final);
        if let Some(e) = text.strip_prefix("e=") {
            return Err(format!("the broker refused the SCRAM login: {e}"));
        }
        let got = text
            .strip_prefix("v=")
            .and_then(|v| B64.decode(v.trim()).ok())
            .ok_or_else(|| format!("the broker's final SCRAM message is malformed: {text}"))?;
        match &self.server_signature {
            Some(expected) if *expected == got => Ok(()),
            _ => Err(
                "the broker's SCRAM signature does not match: it is not the broker it claims to be"
                    .into(),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scram_sha_256_matches_rfc_7677() {
        // RFC 7677 §3: user "user", password "pencil".
        let sasl = Sasl {
            mechanism: Mechanism::ScramSha256,
            username: "user".into(),
            password: "pencil".into(),
        };
        let mut x = Exchange::with_nonce(&sasl, "rOprNGfwEbeRWgbNEkqO");
        assert_eq!(x.first(), b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        let answer = x
            .answer(b"r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
            .unwrap();
        assert_eq!(
            String::from_utf8(answer).unwrap(),
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
        );
        x.verify(b"v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
            .unwrap();
        assert!(x.verify(b"v=AAAA").is_err());
        assert!(
            x.verify(b"e=invalid-proof")
                .unwrap_err()
                .contains("invalid-proof")
        );
    }

    #[test]
    fn plain_sends_one_message_and_settings_are_read() {
        let sasl = Sasl {
            mechanism: Mechanism::Plain,
            username: "u".into(),
            password: "p".into(),
        };
        assert_eq!(Exchange::with_nonce(&sasl, "n").first(), b"\0u\0p");
        let settings: BTreeMap<String, String> = [
            ("security.protocol", "sasl_plaintext"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            (
                "sasl.jaas.config",
                r#"org.apache.kafka.common.security.scram.ScramLoginModule required username="c" password="pw-secret";"#,
            ),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        let w = WireSecurity::from_settings(&settings).unwrap();
        assert!(w.tls.is_none());
        let s = w.sasl.unwrap();
        assert_eq!(
            (s.mechanism, s.username.as_str()),
            (Mechanism::ScramSha512, "c")
        );
        assert_eq!(s.password, "pw-secret");
        let shown = format!("{s:?}");
        assert!(
            shown.contains("[hidden]") && !shown.contains("pw-secret"),
            "{shown}"
        );
    }
}
