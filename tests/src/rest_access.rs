//! How a test reaches a worker's REST API when it is protected: HTTPS with the test certificates
//! `scripts/infra.sh` makes (`.infra/tls`), and HTTP basic authentication configured as Kafka's
//! `BasicAuthSecurityRestExtension` is (a JAAS file with `PropertyFileLoginModule`, named by
//! `-Djava.security.auth.login.config` in `KAFKA_OPTS`).

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    time::Duration,
};

use crate::cluster::infra_dir;

/// Kafka's basic-authentication REST extension.
pub const BASIC_AUTH_EXTENSION: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension";
/// The login module of its JAAS entry.
pub const PROPERTY_FILE_LOGIN_MODULE: &str =
    "org.apache.kafka.connect.rest.basic.auth.extension.PropertyFileLoginModule";

/// A file of the test certificates (`KAFKA_TLS_DIR`, else `.infra/tls`); panics with the command
/// that makes them when it is missing.
pub fn tls_file(name: &str) -> PathBuf {
    let dir = std::env::var("KAFKA_TLS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| infra_dir().join("tls"));
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: start the servers with scripts/infra.sh up (it makes the test certificates)",
        path.display()
    );
    path
}

/// Writes a credentials file with `users` and a JAAS file whose `KafkaConnect` entry points at
/// it, in `dir`; returns the JAAS file.
pub fn write_basic_auth_files(dir: &Path, users: &[(&str, &str)]) -> PathBuf {
    let credentials = dir.join("rest-credentials.properties");
    let lines: String = users.iter().map(|(u, p)| format!("{u}: {p}\n")).collect();
    std::fs::write(&credentials, lines).unwrap();
    let jaas = dir.join("rest-jaas.conf");
    std::fs::write(
        &jaas,
        format!(
            "KafkaConnect {{\n    {PROPERTY_FILE_LOGIN_MODULE} required\n    file=\"{}\";\n}};\n",
            credentials.display()
        ),
    )
    .unwrap();
    jaas
}

/// The protection of a worker's REST API, and how its test client gets through.
#[derive(Debug, Clone, Default)]
pub struct RestAccess {
    /// Serve `https://` with the broker's test certificate (PKCS12) and trust the test CA.
    pub https: bool,
    /// With `https`: require a client certificate (`listeners.https.ssl.client.auth=required`);
    /// the test client presents the test client certificate either way.
    pub client_auth: bool,
    /// Basic authentication with this one user (user, password); `None`: off.
    pub user: Option<(String, String)>,
}

impl RestAccess {
    /// HTTPS (client certificates not required) and basic authentication with `user`.
    pub fn https_with_user(user: &str, password: &str) -> RestAccess {
        RestAccess {
            https: true,
            client_auth: false,
            user: Some((user.to_owned(), password.to_owned())),
        }
    }

    /// `http` or `https`.
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// The worker settings this protection takes (the listener on `127.0.0.1:port`), with the
    /// JAAS file written to `dir`.
    pub fn worker_settings(&self, dir: &Path, port: u16) -> BTreeMap<String, String> {
        let mut s = BTreeMap::new();
        s.insert(
            "listeners".to_owned(),
            format!("{}://127.0.0.1:{port}", self.scheme()),
        );
        if self.https {
            let tls = |k: &str, v: String| (format!("listeners.https.ssl.{k}"), v);
            s.extend([
                tls(
                    "keystore.location",
                    tls_file("broker.p12").display().to_string(),
                ),
                tls("keystore.type", "PKCS12".to_owned()),
                tls("keystore.password", "broker-secret".to_owned()),
                tls(
                    "truststore.location",
                    tls_file("ca.pem").display().to_string(),
                ),
                tls("truststore.type", "PEM".to_owned()),
            ]);
            if self.client_auth {
                s.extend([tls("client.auth", "required".to_owned())]);
            }
        }
        if let Some((user, password)) = &self.user {
            write_basic_auth_files(dir, &[(user, password)]);
            s.insert(
                "rest.extension.classes".to_owned(),
                BASIC_AUTH_EXTENSION.to_owned(),
            );
        }
        s
    }

    /// The environment of the worker process (`KAFKA_OPTS` naming the JAAS file in `dir`).
    pub fn worker_env(&self, dir: &Path) -> Vec<(String, String)> {
        match &self.user {
            Some(_) => vec![(
                "KAFKA_OPTS".to_owned(),
                format!(
                    "-Djava.security.auth.login.config={}",
                    dir.join("rest-jaas.conf").display()
                ),
            )],
            None => Vec::new(),
        }
    }

    /// A blocking client that trusts the test CA and presents the test client certificate.
    pub fn client(&self, timeout: Duration) -> reqwest::blocking::Client {
        let mut b = reqwest::blocking::Client::builder().timeout(timeout);
        if self.https {
            let ca = std::fs::read(tls_file("ca.pem")).unwrap();
            let p12 = std::fs::read(tls_file("client.p12")).unwrap();
            b = b
                .tls_certs_only([reqwest::Certificate::from_pem(&ca).unwrap()])
                .identity(reqwest::Identity::from_pkcs12_der(&p12, "client-secret").unwrap());
        }
        b.build().unwrap()
    }

    /// `request` with the user's credentials, if any.
    pub fn authorize(
        &self,
        request: reqwest::blocking::RequestBuilder,
    ) -> reqwest::blocking::RequestBuilder {
        match &self.user {
            Some((u, p)) => request.basic_auth(u, Some(p)),
            None => request,
        }
    }
}
