//! HTTP to Elasticsearch/OpenSearch: `_bulk`, the version probe (`GET /`), index and data-stream
//! creation, mappings, resource checks, and the live part of `validate`.
//!
//! hyper-util's pooled HTTP/1.1 client with hyper-rustls on rustls's `ring` provider. TLS material
//! is PEM (files or inline); basic auth is an `Authorization` header on every request;
//! `connection.compression` gzips request bodies; requests rotate over the `connection.url` list;
//! `proxy.*` forwards `http` requests through the proxy and tunnels `https` ones (CONNECT).

use std::future::Future;
use std::io::Write as _;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::task::{Context, Poll};
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use connect_plugin_api::abi::config::ConfigValueReport;
use http::header::{
    AUTHORIZATION, CONTENT_ENCODING, CONTENT_TYPE, HeaderValue, PROXY_AUTHORIZATION,
};
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use serde_json::{Value, json};

use crate::config::{self, EsConfig, ResourceUsage};
use crate::retry::{self, Item, RequestError};

/// The server's answer to `GET /`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerInfo {
    /// `version.number`.
    pub number: String,
    /// `version.distribution` (`opensearch`), or `elasticsearch` when absent.
    pub distribution: String,
}

impl ServerInfo {
    /// OpenSearch (any version) rather than Elasticsearch.
    pub fn is_opensearch(&self) -> bool {
        self.distribution.eq_ignore_ascii_case("opensearch")
    }
}

/// A failed administrative request (index/mapping/data stream).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminError {
    /// Worth trying again later (transport error, 408/429/5xx).
    pub retriable: bool,
    /// What happened.
    pub message: String,
}

impl AdminError {
    fn transport(message: String) -> Self {
        AdminError {
            retriable: true,
            message,
        }
    }
    fn status(what: &str, status: u16, body: &[u8]) -> Self {
        AdminError {
            retriable: matches!(status, 408 | 429 | 500..=599),
            message: format!(
                "{what} failed with HTTP {status}: {}",
                String::from_utf8_lossy(body)
                    .chars()
                    .take(500)
                    .collect::<String>()
            ),
        }
    }
}

/// An error and its causes on one line.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut msg = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !msg.contains(&text) {
            msg.push_str(": ");
            msg.push_str(&text);
        }
        source = s.source();
    }
    msg
}

// ------------------------------------------------------------------------------------------------
// TLS

fn read_pem(path: &str, declared: &str, key: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path} ({key}): {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    if text.trim_start().starts_with("-----BEGIN") {
        return Ok(bytes);
    }
    Err(format!(
        "{path} ({key}) is not a PEM file (declared type {declared}). Only PEM is supported: convert a JKS or PKCS12 store with `keytool -exportcert -rfc` or `openssl pkcs12 -in store.p12 -out store.pem -nodes`, and set the matching '.type' key to PEM."
    ))
}

/// Checks that a keystore/truststore location is a readable PEM file (for `validate`).
pub fn check_pem_file(path: &str, declared_type: &str) -> Result<(), String> {
    read_pem(path, declared_type, "store").map(|_| ())
}

fn pem_certs(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("cannot read the certificates of {what}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{what} holds no PEM certificate"));
    }
    Ok(certs)
}

/// Accepts a certificate valid for another name (`ssl.endpoint.identification.algorithm=`).
#[derive(Debug)]
struct IgnoreHostname(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for IgnoreHostname {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// The rustls configuration of `elastic.https.*` (PEM truststore or the system's roots, optional
/// client certificate, TLS versions, hostname verification).
fn tls_config(cfg: &EsConfig) -> Result<rustls::ClientConfig, String> {
    let t = &cfg.tls;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut versions: Vec<&'static rustls::SupportedProtocolVersion> = Vec::new();
    if t.versions.0 <= 12 {
        versions.push(&rustls::version::TLS12);
    }
    if t.versions.1 >= 13 {
        versions.push(&rustls::version::TLS13);
    }
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| format!("unsupported TLS versions: {e}"))?;
    let mut roots = RootCertStore::empty();
    let mut own_roots = false;
    if let Some(path) = &t.truststore_location {
        let pem = read_pem(path, &t.truststore_type, config::SSL_TRUSTSTORE_LOCATION)?;
        roots.add_parsable_certificates(pem_certs(&pem, path)?);
        own_roots = true;
    }
    if let Some(pem) = &t.truststore_certificates {
        roots.add_parsable_certificates(pem_certs(
            pem.as_bytes(),
            config::SSL_TRUSTSTORE_CERTIFICATES,
        )?);
        own_roots = true;
    }
    if !t.enabled {
        // Only `http` URLs: the TLS side of the connector is never used.
        return Ok(builder
            .with_root_certificates(RootCertStore::empty())
            .with_no_client_auth());
    }
    if !own_roots {
        let native = rustls_native_certs::load_native_certs();
        roots.add_parsable_certificates(native.certs);
    }
    let verifier =
        rustls::client::WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider)
            .build()
            .map_err(|e| {
                format!("cannot build the TLS certificate verifier (no trusted CA?): {e}")
            })?;
    let builder = if t.verify_hostname {
        builder.with_webpki_verifier(verifier)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(IgnoreHostname(verifier)))
    };
    let identity = match (
        &t.keystore_location,
        &t.keystore_key,
        &t.keystore_certificate_chain,
    ) {
        (Some(path), _, _) => Some(read_pem(
            path,
            &t.keystore_type,
            config::SSL_KEYSTORE_LOCATION,
        )?),
        (None, Some(key), Some(chain)) => Some(format!("{key}\n{chain}\n").into_bytes()),
        _ => None,
    };
    match identity {
        Some(pem) => {
            let certs = pem_certs(&pem, "the client certificate")?;
            let key = PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
                format!("cannot read the client private key (PEM, unencrypted): {e}")
            })?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| format!("invalid client certificate or key: {e}"))
        }
        None => Ok(builder.with_no_client_auth()),
    }
}

// ------------------------------------------------------------------------------------------------
// Connectors

/// Connects every `http` request to the forward proxy; hyper then sends absolute-form URIs.
#[derive(Clone)]
struct ForwardProxy {
    inner: HttpConnector,
    proxy: Uri,
}

/// A connection to a forward proxy (marked so, for absolute-form request URIs).
struct ProxiedIo(TokioIo<tokio::net::TcpStream>);

impl Connection for ProxiedIo {
    fn connected(&self) -> Connected {
        self.0.connected().proxy(true)
    }
}

impl hyper::rt::Read for ProxiedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }
}

impl hyper::rt::Write for ProxiedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl tower_service::Service<Uri> for ForwardProxy {
    type Response = ProxiedIo;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<ProxiedIo, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, _dst: Uri) -> Self::Future {
        let connecting = self.inner.call(self.proxy.clone());
        Box::pin(async move { Ok(ProxiedIo(connecting.await?)) })
    }
}

type Body = Full<Bytes>;

/// How connections are made (directly, through a forward proxy, or tunnelled); builds clients.
enum Connector {
    Direct(HttpsConnector<HttpConnector>),
    Forward(HttpsConnector<ForwardProxy>),
    Tunnel(HttpsConnector<Tunnel<HttpConnector>>),
}

impl Connector {
    /// A client with its own, empty connection pool.
    fn client(&self, builder: &hyper_util::client::legacy::Builder) -> Transport {
        match self {
            Connector::Direct(c) => Transport::Direct(builder.build(c.clone())),
            Connector::Forward(c) => Transport::Forward(builder.build(c.clone())),
            Connector::Tunnel(c) => Transport::Tunnel(builder.build(c.clone())),
        }
    }
}

enum Transport {
    Direct(Client<HttpsConnector<HttpConnector>, Body>),
    Forward(Client<HttpsConnector<ForwardProxy>, Body>),
    Tunnel(Client<HttpsConnector<Tunnel<HttpConnector>>, Body>),
}

impl Transport {
    async fn request(
        &self,
        req: Request<Body>,
    ) -> Result<http::Response<hyper::body::Incoming>, hyper_util::client::legacy::Error> {
        match self {
            Transport::Direct(c) => c.request(req).await,
            Transport::Forward(c) => c.request(req).await,
            Transport::Tunnel(c) => c.request(req).await,
        }
    }
}

/// A request that got no HTTP answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoAnswer {
    /// What happened, naming the URL.
    pub message: String,
    /// No connection could be made (refused, connect timeout, unresolvable): the node is down,
    /// not merely slow.
    pub refused: bool,
}

/// A client for one connector configuration. Cheap to share (`Arc`).
pub struct EsClient {
    /// The current client and its connection pool; replaced after a timeout (see
    /// [`EsClient::renew`]).
    transport: RwLock<Arc<Transport>>,
    connector: Connector,
    builder: hyper_util::client::legacy::Builder,
    urls: Vec<String>,
    next: AtomicUsize,
    compression: bool,
    authorization: Option<HeaderValue>,
    proxy_authorization: Option<HeaderValue>,
    read_timeout: Option<Duration>,
}

fn basic(user: &str, pass: &str) -> Result<HeaderValue, String> {
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
    let mut v = HeaderValue::from_str(&format!("Basic {token}"))
        .map_err(|_| "the credentials contain characters not allowed in a header")?;
    v.set_sensitive(true);
    Ok(v)
}

impl EsClient {
    /// Builds the client (no request is made).
    pub fn new(cfg: &EsConfig) -> Result<Self, String> {
        if cfg.urls.is_empty() {
            return Err("'connection.url' has no URL".into());
        }
        for u in &cfg.urls {
            u.parse::<Uri>()
                .map_err(|e| format!("The provided url '{u}' is not a valid url: {e}"))?;
        }
        let authorization = match &cfg.credentials {
            Some((user, pass)) => Some(basic(user, pass)?),
            None => None,
        };
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        if !cfg.connect_timeout.is_zero() {
            http.set_connect_timeout(Some(cfg.connect_timeout));
        }
        let tls = tls_config(cfg)?;
        let https = || {
            hyper_rustls::HttpsConnectorBuilder::new()
                .with_tls_config(tls.clone())
                .https_or_http()
                .enable_http1()
        };
        let mut builder = Client::builder(TokioExecutor::new());
        builder.pool_timer(TokioTimer::new());
        builder.pool_idle_timeout(cfg.idle_timeout);
        let mut proxy_authorization = None;
        let connector = match &cfg.proxy {
            None => Connector::Direct(https().wrap_connector(http)),
            Some(p) => {
                let host = p.host.trim_end_matches('/');
                let url = if host.contains("://") {
                    format!("{host}:{}", p.port)
                } else {
                    format!("http://{host}:{}", p.port)
                };
                let proxy: Uri = url
                    .parse()
                    .map_err(|e| format!("invalid proxy {url}: {e}"))?;
                let auth = match &p.auth {
                    Some((u, pw)) => Some(basic(u, pw)?),
                    None => None,
                };
                if cfg.urls.iter().any(|u| u.starts_with("https:")) {
                    let mut tunnel = Tunnel::new(proxy, http);
                    if let Some(a) = auth {
                        tunnel = tunnel.with_auth(a);
                    }
                    Connector::Tunnel(https().wrap_connector(tunnel))
                } else {
                    proxy_authorization = auth;
                    let forward = ForwardProxy { inner: http, proxy };
                    Connector::Forward(https().wrap_connector(forward))
                }
            }
        };
        Ok(EsClient {
            transport: RwLock::new(Arc::new(connector.client(&builder))),
            connector,
            builder,
            urls: cfg.urls.clone(),
            next: AtomicUsize::new(0),
            compression: cfg.compression,
            authorization,
            proxy_authorization,
            read_timeout: (!cfg.read_timeout.is_zero()).then_some(cfg.read_timeout),
        })
    }

    fn url(&self, path: &str) -> String {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.urls.len();
        format!("{}{path}", self.urls[i])
    }

    fn transport(&self) -> Arc<Transport> {
        self.transport
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Starts a new connection pool unless `used` was already replaced. After a timeout the
    /// pooled connections may be dead too (a hung node, a partition): without this, requests
    /// after the node is back could each wait `read.timeout.ms` on another dead connection.
    /// Requests in flight keep their connections; idle ones close with the old pool.
    fn renew(&self, used: &Arc<Transport>) {
        let mut current = self.transport.write().unwrap_or_else(|p| p.into_inner());
        if Arc::ptr_eq(&current, used) {
            *current = Arc::new(self.connector.client(&self.builder));
            tracing::debug!("request timed out; later requests use new connections");
        }
    }

    /// One request; the status and the whole body. Transport errors and timeouts are `Err`.
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&'static str>,
        body: Vec<u8>,
        gzipped: bool,
    ) -> Result<(u16, Bytes), NoAnswer> {
        self.exchange_within(method, path, content_type, body, gzipped, self.read_timeout)
            .await
    }

    /// [`EsClient::exchange`] with its own timeout (`None`: none).
    async fn exchange_within(
        &self,
        method: Method,
        path: &str,
        content_type: Option<&'static str>,
        body: Vec<u8>,
        gzipped: bool,
        timeout: Option<Duration>,
    ) -> Result<(u16, Bytes), NoAnswer> {
        let url = self.url(path);
        let mut req = Request::builder().method(method).uri(&url);
        if let Some(ct) = content_type {
            req = req.header(CONTENT_TYPE, ct);
        }
        if gzipped {
            req = req.header(CONTENT_ENCODING, "gzip");
        }
        if let Some(a) = &self.authorization {
            req = req.header(AUTHORIZATION, a.clone());
        }
        if let Some(a) = &self.proxy_authorization {
            req = req.header(PROXY_AUTHORIZATION, a.clone());
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| NoAnswer {
                message: format!("invalid request to {url}: {e}"),
                refused: false,
            })?;
        let transport = self.transport();
        let exchange = async {
            let resp = transport.request(req).await.map_err(|e| NoAnswer {
                message: format!("request to {url} failed: {}", describe(&e)),
                refused: e.is_connect(),
            })?;
            let status = resp.status().as_u16();
            let bytes = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| NoAnswer {
                    message: format!("reading the response of {url} failed: {}", describe(&e)),
                    refused: false,
                })?
                .to_bytes();
            Ok((status, bytes))
        };
        let Some(t) = timeout else {
            return exchange.await;
        };
        // The read timeout bounds the wait for the answer (Java's socket timeout).
        match tokio::time::timeout(t, exchange).await {
            Ok(r) => r,
            Err(_) => {
                self.renew(&transport);
                Err(NoAnswer {
                    message: format!(
                        "request to {url} timed out after {} ms (read.timeout.ms)",
                        t.as_millis()
                    ),
                    refused: false,
                })
            }
        }
    }

    /// Whether the node answers a cheap `GET /` within `timeout` (any answer but a gateway's
    /// 502/503/504, which means the node behind it is away). Probes an unavailable node between
    /// long retry waits.
    pub async fn answers(&self, timeout: Duration) -> bool {
        match self
            .exchange_within(Method::GET, "/", None, Vec::new(), false, Some(timeout))
            .await
        {
            Ok((status, _)) => !matches!(status, 502..=504),
            Err(_) => false,
        }
    }

    /// Sends one `_bulk` request (NDJSON) and classifies the answer.
    pub async fn bulk(&self, body: Vec<u8>) -> Result<Vec<Item>, RequestError> {
        let (body, gzipped) = if self.compression {
            match gzip(&body) {
                Ok(b) => (b, true),
                Err(_) => (body, false),
            }
        } else {
            (body, false)
        };
        let (status, bytes) = self
            .exchange(
                Method::POST,
                "/_bulk",
                Some("application/x-ndjson"),
                body,
                gzipped,
            )
            .await
            .map_err(|e| RequestError::Unavailable {
                message: e.message,
                refused: e.refused,
            })?;
        retry::classify_response(status, &bytes)
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Vec<u8>), AdminError> {
        let (ct, bytes) = match body {
            Some(b) => (Some("application/json"), b.to_string().into_bytes()),
            None => (None, Vec::new()),
        };
        let (status, bytes) = self
            .exchange(method, path, ct, bytes, false)
            .await
            .map_err(|e| AdminError::transport(e.message))?;
        Ok((status, bytes.to_vec()))
    }

    /// `GET /`: version and distribution.
    pub async fn info(&self) -> Result<ServerInfo, AdminError> {
        let (status, body) = self.send(Method::GET, "/", None).await?;
        if !(200..300).contains(&status) {
            return Err(AdminError::status("GET /", status, &body));
        }
        let v: Value = serde_json::from_slice(&body).map_err(|e| AdminError {
            retriable: true,
            message: format!("GET / did not answer JSON: {e}"),
        })?;
        Ok(ServerInfo {
            number: v["version"]["number"].as_str().unwrap_or("").to_owned(),
            distribution: v["version"]["distribution"]
                .as_str()
                .unwrap_or("elasticsearch")
                .to_owned(),
        })
    }

    /// Whether an index, data stream or alias exists (`HEAD /{name}`).
    pub async fn exists(&self, name: &str) -> Result<bool, AdminError> {
        let (status, body) = self
            .send(Method::HEAD, &format!("/{}", path_segment(name)), None)
            .await?;
        match status {
            200..=299 => Ok(true),
            404 => Ok(false),
            s => Err(AdminError::status(&format!("HEAD /{name}"), s, &body)),
        }
    }

    /// Creates an index with the server's defaults; an existing one is fine.
    pub async fn create_index(&self, name: &str) -> Result<(), AdminError> {
        let (status, body) = self
            .send(Method::PUT, &format!("/{}", path_segment(name)), None)
            .await?;
        if (200..300).contains(&status) || already_exists(&body) {
            return Ok(());
        }
        Err(AdminError::status(
            &format!("Could not create index '{name}': PUT /{name}"),
            status,
            &body,
        ))
    }

    /// Creates a data stream. When no index template matches (OpenSearch has none for
    /// `logs-*-*`), first creates a minimal one for exactly this name.
    pub async fn create_data_stream(&self, name: &str) -> Result<(), AdminError> {
        let path = format!("/_data_stream/{}", path_segment(name));
        let (status, body) = self.send(Method::PUT, &path, None).await?;
        if (200..300).contains(&status) || already_exists(&body) {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&body);
        if !text.contains("no matching index template") {
            return Err(AdminError::status(
                &format!("Could not create data stream '{name}'"),
                status,
                &body,
            ));
        }
        tracing::info!(
            data_stream = name,
            "no index template matches the data stream; creating one for it"
        );
        let template = json!({"index_patterns": [name], "data_stream": {}, "priority": 200});
        let (status, body) = self
            .send(
                Method::PUT,
                &format!(
                    "/_index_template/{}",
                    path_segment(&format!("connect-{name}"))
                ),
                Some(&template),
            )
            .await?;
        if !(200..300).contains(&status) {
            return Err(AdminError::status(
                &format!("Could not create an index template for data stream '{name}'"),
                status,
                &body,
            ));
        }
        let (status, body) = self.send(Method::PUT, &path, None).await?;
        if (200..300).contains(&status) || already_exists(&body) {
            return Ok(());
        }
        Err(AdminError::status(
            &format!("Could not create data stream '{name}'"),
            status,
            &body,
        ))
    }

    /// Whether the index (or the indices behind an alias or data stream) has field mappings.
    pub async fn has_mapping(&self, name: &str) -> Result<bool, AdminError> {
        let (status, body) = self
            .send(
                Method::GET,
                &format!("/{}/_mapping", path_segment(name)),
                None,
            )
            .await?;
        if status == 404 {
            return Ok(false);
        }
        if !(200..300).contains(&status) {
            return Err(AdminError::status(
                &format!("GET /{name}/_mapping"),
                status,
                &body,
            ));
        }
        let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        Ok(v.as_object().is_some_and(|indices| {
            indices.values().any(|i| {
                i.get("mappings")
                    .and_then(Value::as_object)
                    .is_some_and(|m| !m.is_empty())
            })
        }))
    }

    /// Puts a mapping (`{"properties":…}`) on an index.
    pub async fn put_mapping(&self, name: &str, mapping: &Value) -> Result<(), AdminError> {
        let (status, body) = self
            .send(
                Method::PUT,
                &format!("/{}/_mapping", path_segment(name)),
                Some(mapping),
            )
            .await?;
        if (200..300).contains(&status) {
            return Ok(());
        }
        Err(AdminError::status(
            &format!("Could not create the mapping of '{name}'"),
            status,
            &body,
        ))
    }

    /// Whether a mapped external resource of this kind exists.
    pub async fn resource_exists(
        &self,
        usage: ResourceUsage,
        name: &str,
    ) -> Result<bool, AdminError> {
        let path = match usage {
            ResourceUsage::DataStream => format!("/_data_stream/{}", path_segment(name)),
            ResourceUsage::AliasIndex | ResourceUsage::AliasDataStream => {
                format!("/_alias/{}", path_segment(name))
            }
            _ => format!("/{}", path_segment(name)),
        };
        let (status, body) = self.send(Method::GET, &path, None).await?;
        match status {
            200..=299 => Ok(true),
            404 => Ok(false),
            s => Err(AdminError::status(&format!("GET {path}"), s, &body)),
        }
    }
}

fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(
        Vec::with_capacity(body.len() / 4 + 64),
        flate2::Compression::fast(),
    );
    gz.write_all(body)?;
    gz.finish()
}

fn already_exists(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    text.contains("resource_already_exists_exception") || text.contains("already exists")
}

/// Percent-encodes what cannot stand in a path segment (index names are mostly plain).
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'+' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn compare_versions(version: &str, wanted: &str) -> std::cmp::Ordering {
    let parse = |s: &str| -> Vec<u64> {
        s.split('.')
            .map(|p| p.split('-').next().unwrap_or("0").parse().unwrap_or(0))
            .collect()
    };
    parse(version).cmp(&parse(wanted))
}

fn add(reports: &mut [ConfigValueReport], key: &str, message: &str) {
    if let Some(r) = reports.iter_mut().find(|r| r.name.as_str() == key) {
        r.errors.push(message.into());
    }
}

/// The live checks of Confluent's validator: connect (`GET /`), version ≥ 7.0.0 (≥ 7.9.0 for data
/// streams; any OpenSearch), mapped resources exist. Errors go to the reports.
pub fn live_validate(cfg: &EsConfig, reports: &mut [ConfigValueReport]) {
    let client = match EsClient::new(cfg) {
        Ok(c) => c,
        Err(e) => {
            add(
                reports,
                config::CONNECTION_URL,
                &format!("Invalid Elasticsearch client configuration: {e}"),
            );
            return;
        }
    };
    let budget = (cfg.connect_timeout + cfg.read_timeout).max(Duration::from_secs(2)) * 2;
    let rt = connect_plugin_api::sdk::runtime::runtime();
    let info = rt.block_on(async { tokio::time::timeout(budget, client.info()).await });
    let info = match info {
        Ok(Ok(info)) => Some(info),
        // Reachable but not allowed to read `/`: the cluster is up.
        Ok(Err(e)) if e.message.contains("HTTP 403") => None,
        Ok(Err(e)) => return connection_failed(cfg, reports, &e.message),
        Err(_) => return connection_failed(cfg, reports, "timed out"),
    };
    if let Some(info) = &info
        && !info.is_opensearch()
        && !info.number.is_empty()
    {
        if cfg.is_data_stream() && compare_versions(&info.number, "7.9.0").is_lt() {
            let m = format!(
                "Elasticsearch version {} is not compatible with data streams. Elasticsearchversion must be at least 7.9.0.",
                info.number
            );
            for k in [
                config::CONNECTION_URL,
                config::DATA_STREAM_TYPE,
                config::DATA_STREAM_DATASET,
            ] {
                add(reports, k, &m);
            }
        }
        if compare_versions(&info.number, "7.0.0").is_lt() {
            add(
                reports,
                config::CONNECTION_URL,
                &format!(
                    "Connector version {} is not compatible with Elasticsearch version {}. Elasticsearch version must be at least 7.0.0.",
                    crate::connector::VERSION,
                    info.number
                ),
            );
        }
    }
    if cfg.resource_usage != ResourceUsage::Disabled {
        let kind = match cfg.resource_usage {
            ResourceUsage::Index => "index",
            ResourceUsage::DataStream => "datastream",
            ResourceUsage::AliasIndex => "alias_index",
            ResourceUsage::AliasDataStream => "alias_datastream",
            ResourceUsage::Disabled => "disabled",
        };
        let mut resources: Vec<&String> = cfg.topic_resources.values().collect();
        resources.sort();
        for r in resources {
            let res = rt.block_on(async {
                tokio::time::timeout(budget, client.resource_exists(cfg.resource_usage, r)).await
            });
            let msg = match res {
                Ok(Ok(true)) => continue,
                Ok(Ok(false)) => format!("{kind} '{r}' does not exist in Elasticsearch"),
                Ok(Err(e)) => format!("Failed to check if {kind} '{r}' exists: {}", e.message),
                Err(_) => format!("Failed to check if {kind} '{r}' exists: timed out"),
            };
            add(reports, config::TOPIC_TO_EXTERNAL_RESOURCE_MAPPING, &msg);
            break;
        }
    }
}

fn connection_failed(cfg: &EsConfig, reports: &mut [ConfigValueReport], error: &str) {
    let detail = format!("Error message: {error}");
    add(
        reports,
        config::CONNECTION_URL,
        &format!("Could not connect to Elasticsearch. {detail}"),
    );
    if cfg.credentials.is_some() {
        let m = format!(
            "Could not authenticate the user. Check the '{}' and '{}'. {detail}",
            config::CONNECTION_USERNAME,
            config::CONNECTION_PASSWORD
        );
        add(reports, config::CONNECTION_USERNAME, &m);
        add(reports, config::CONNECTION_PASSWORD, &m);
    }
    if cfg.tls.enabled {
        add(
            reports,
            config::SECURITY_PROTOCOL,
            &format!("Could not connect to Elasticsearch. Check your SSL settings.{detail}"),
        );
    }
    if cfg.proxy.is_some() {
        let m = format!("Could not connect to Elasticsearch. Check your proxy settings. {detail}");
        add(reports, config::PROXY_HOST, &m);
        add(reports, config::PROXY_PORT, &m);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_compare_numerically() {
        assert!(compare_versions("6.8.23", "7.0.0").is_lt());
        assert!(compare_versions("7.10.2", "7.9.0").is_gt());
        assert!(compare_versions("8.0.0-SNAPSHOT", "7.9.0").is_gt());
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("logs-app-x.y"), "logs-app-x.y");
        assert_eq!(path_segment("a b/c"), "a%20b%2Fc");
    }

    fn cfg(pairs: &[(&str, &str)]) -> EsConfig {
        EsConfig::parse(
            &pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
        .unwrap()
    }

    #[test]
    fn clients_build_for_http_https_proxy_and_refuse_jks_truststores() {
        assert!(EsClient::new(&cfg(&[("connection.url", "http://127.0.0.1:9200")])).is_ok());
        assert!(EsClient::new(&cfg(&[("connection.url", "https://es.example:9200")])).is_ok());
        assert!(
            EsClient::new(&cfg(&[
                ("connection.url", "http://127.0.0.1:9200"),
                ("proxy.host", "127.0.0.1"),
                ("proxy.port", "3128"),
                ("proxy.username", "u"),
                ("proxy.password", "p"),
            ]))
            .is_ok()
        );
        let dir = std::env::temp_dir().join(format!("es-sink-jks-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let jks = dir.join("truststore.jks");
        std::fs::write(&jks, [0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]).unwrap();
        let e = EsClient::new(&cfg(&[
            ("connection.url", "https://es.example:9200"),
            ("elastic.security.protocol", "SSL"),
            (
                "elastic.https.ssl.truststore.location",
                jks.to_str().unwrap(),
            ),
        ]))
        .err()
        .unwrap();
        assert!(e.contains("Only PEM is supported"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A keep-alive HTTP server on 127.0.0.1 answering every request with `status`, except on
    /// connections numbered below `dead_below` (counted from 0 in accept order): those read
    /// requests and never answer, like connections to a hung node. While fewer than
    /// `answer_from` connections were accepted, answers wait (up to 5 s), so requests sent
    /// together really need that many connections, however slow the machine.
    struct TestServer {
        url: String,
        accepted: Arc<AtomicUsize>,
        dead_below: Arc<AtomicUsize>,
        answer_from: Arc<AtomicUsize>,
    }

    fn test_server(status: u16) -> TestServer {
        use std::io::{Read, Write};
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", l.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let dead_below = Arc::new(AtomicUsize::new(0));
        let answer_from = Arc::new(AtomicUsize::new(0));
        let (a, d, f) = (accepted.clone(), dead_below.clone(), answer_from.clone());
        std::thread::spawn(move || {
            for conn in l.incoming().flatten() {
                let n = a.fetch_add(1, Ordering::SeqCst);
                let (a, d, f) = (a.clone(), d.clone(), f.clone());
                std::thread::spawn(move || {
                    let mut conn = conn;
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 4096];
                    loop {
                        match conn.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(k) => buf.extend_from_slice(&chunk[..k]),
                        }
                        while let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            buf.drain(..i + 4);
                            if n < d.load(Ordering::SeqCst) {
                                continue;
                            }
                            let waited = std::time::Instant::now();
                            while a.load(Ordering::SeqCst) < f.load(Ordering::SeqCst)
                                && waited.elapsed() < Duration::from_secs(5)
                            {
                                std::thread::sleep(Duration::from_millis(5));
                            }
                            let body = "{}";
                            let head = format!(
                                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                                body.len()
                            );
                            if conn.write_all(head.as_bytes()).is_err() {
                                return;
                            }
                        }
                    }
                });
            }
        });
        TestServer {
            url,
            accepted,
            dead_below,
            answer_from,
        }
    }

    fn test_runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn after_a_timeout_requests_use_new_connections_not_other_dead_pooled_ones() {
        let server = test_server(200);
        let client = EsClient::new(&cfg(&[
            ("connection.url", &server.url),
            ("read.timeout.ms", "500"),
        ]))
        .unwrap();
        let rt = test_runtime();
        // Three requests at once: three connections, idle in the pool afterwards.
        server.answer_from.store(3, Ordering::SeqCst);
        rt.block_on(async {
            let (a, b, c) = tokio::join!(client.info(), client.info(), client.info());
            a.unwrap();
            b.unwrap();
            c.unwrap();
        });
        assert_eq!(server.accepted.load(Ordering::SeqCst), 3);
        server.answer_from.store(0, Ordering::SeqCst);
        // The node hangs: every connection made so far is dead.
        server.dead_below.store(3, Ordering::SeqCst);
        let t = std::time::Instant::now();
        let e = rt.block_on(client.info()).unwrap_err();
        assert!(e.message.contains("timed out"), "{}", e.message);
        assert!(t.elapsed() >= Duration::from_millis(450));
        // The next request must not wait on one of the two other dead connections.
        let t = std::time::Instant::now();
        rt.block_on(client.info())
            .expect("a new connection answers");
        assert!(
            t.elapsed() < Duration::from_millis(400),
            "took {:?}",
            t.elapsed()
        );
        assert_eq!(server.accepted.load(Ordering::SeqCst), 4);
    }

    #[test]
    fn probes_tell_an_answering_node_from_a_down_or_hung_one() {
        let rt = test_runtime();
        let probe = |url: &str| {
            let c = EsClient::new(&cfg(&[("connection.url", url)])).unwrap();
            rt.block_on(c.answers(Duration::from_millis(300)))
        };
        assert!(probe(&test_server(200).url));
        assert!(
            probe(&test_server(401).url),
            "asking for credentials is an answer"
        );
        assert!(!probe(&test_server(503).url), "a gateway without its node");
        let hung = test_server(200);
        hung.dead_below.store(usize::MAX, Ordering::SeqCst);
        let t = std::time::Instant::now();
        assert!(!probe(&hung.url));
        assert!(t.elapsed() < Duration::from_secs(2));
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = format!("http://{}", free.local_addr().unwrap());
        drop(free);
        assert!(!probe(&refused));
    }

    #[test]
    fn a_refused_connection_is_told_from_a_timeout() {
        let rt = test_runtime();
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let refused = format!("http://{}", free.local_addr().unwrap());
        drop(free);
        let c = EsClient::new(&cfg(&[("connection.url", &refused)])).unwrap();
        match rt.block_on(c.bulk(b"{}\n".to_vec())) {
            Err(RequestError::Unavailable { refused: true, .. }) => {}
            other => panic!("{other:?}"),
        }
        let hung = test_server(200);
        hung.dead_below.store(usize::MAX, Ordering::SeqCst);
        let c = EsClient::new(&cfg(&[
            ("connection.url", &hung.url),
            ("read.timeout.ms", "200"),
        ]))
        .unwrap();
        match rt.block_on(c.bulk(b"{}\n".to_vec())) {
            Err(RequestError::Unavailable {
                refused: false,
                message,
            }) => {
                assert!(message.contains("read.timeout.ms"), "{message}")
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pem_check_explains_jks() {
        let dir = std::env::temp_dir().join(format!("es-sink-pem-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let jks = dir.join("store.jks");
        std::fs::write(&jks, [0xfe, 0xed, 0xfe, 0xed]).unwrap();
        let e = check_pem_file(jks.to_str().unwrap(), "JKS").unwrap_err();
        assert!(e.contains("Only PEM is supported"), "{e}");
        let pem = dir.join("ca.pem");
        std::fs::write(
            &pem,
            "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        assert!(check_pem_file(pem.to_str().unwrap(), "PEM").is_ok());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
