//! HTTPS to a local TLS server (test CA and `localhost` certificate in `tests/fixtures`, valid
//! until 2126): PEM truststores (file and inline), hostname verification and turning it off, and
//! the system roots refusing an unknown CA. No OpenSearch needed.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use connect_elasticsearch_sink::client::EsClient;
use connect_elasticsearch_sink::config::EsConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// A TLS server on 127.0.0.1 answering every request with an Elasticsearch-like `GET /` body.
fn start_server() -> (u16, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(fixture("server.pem"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = rt
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    rt.spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(sock).await else { return };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match tls.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let body = r#"{"version":{"number":"7.17.0"}}"#;
                let resp = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(resp.as_bytes()).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (port, rt)
}

fn info(pairs: &[(&str, &str)]) -> Result<String, String> {
    let cfg = EsConfig::parse(
        &pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    )
    .map_err(|e| e.message)?;
    let client = EsClient::new(&cfg)?;
    connect_plugin_api::sdk::runtime::runtime().block_on(async {
        match tokio::time::timeout(Duration::from_secs(10), client.info()).await {
            Ok(Ok(i)) => Ok(i.number),
            Ok(Err(e)) => Err(e.message),
            Err(_) => Err("timed out".into()),
        }
    })
}

#[test]
fn https_with_pem_truststores_and_hostname_rules() {
    let (port, _rt) = start_server();
    let ca = fixture("ca.pem");
    let ca = ca.to_str().unwrap();
    let localhost = format!("https://localhost:{port}");
    let by_ip = format!("https://127.0.0.1:{port}");

    // A PEM truststore file: trusted.
    let ok = info(&[
        ("connection.url", &localhost),
        ("elastic.security.protocol", "SSL"),
        ("elastic.https.ssl.truststore.location", ca),
        ("elastic.https.ssl.truststore.type", "PEM"),
    ]);
    assert_eq!(ok.as_deref(), Ok("7.17.0"), "{ok:?}");

    // Inline PEM CA certificates: trusted too.
    let pem = std::fs::read_to_string(fixture("ca.pem")).unwrap();
    let ok = info(&[
        ("connection.url", &localhost),
        ("elastic.security.protocol", "SSL"),
        ("elastic.https.ssl.truststore.certificates", &pem),
    ]);
    assert_eq!(ok.as_deref(), Ok("7.17.0"), "{ok:?}");

    // The certificate names `localhost`, not 127.0.0.1: refused unless hostname checks are off.
    let e = info(&[
        ("connection.url", &by_ip),
        ("elastic.security.protocol", "SSL"),
        ("elastic.https.ssl.truststore.location", ca),
    ])
    .unwrap_err();
    assert!(
        e.contains("NotValidForName") || e.contains("not valid for name"),
        "{e}"
    );
    let ok = info(&[
        ("connection.url", &by_ip),
        ("elastic.security.protocol", "SSL"),
        ("elastic.https.ssl.truststore.location", ca),
        ("elastic.https.ssl.endpoint.identification.algorithm", ""),
    ]);
    assert_eq!(ok.as_deref(), Ok("7.17.0"), "{ok:?}");

    // Without a truststore the system roots apply, which do not know the test CA.
    let e = info(&[("connection.url", &localhost)]).unwrap_err();
    assert!(
        e.contains("UnknownIssuer") || e.contains("certificate"),
        "{e}"
    );
}
