//! TLS of `https://` REST listeners: the OpenSSL acceptor made from a listener's
//! [`RestTls`], and a listener that hands axum only connections whose handshake is done.
//!
//! Handshakes run in tasks of their own (at most [`HANDSHAKE_TIMEOUT`] each), so a client that
//! connects and says nothing holds up no one else.

use std::{io, net::SocketAddr, pin::Pin, sync::Arc, time::Duration};

use openssl::{
    ssl::{Ssl, SslAcceptor, SslMethod, SslVerifyMode},
    x509::store::X509StoreBuilder,
};
use tokio::{
    net::{TcpListener, TcpStream},
    sync::mpsc,
    task::JoinHandle,
};
use tokio_openssl::SslStream;

use crate::config::rest_tls::{ClientAuth, RestTls};

/// How long a client may take to finish the TLS handshake.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// The acceptor of an `https://` listener: its key and chain, the CAs that client
/// certificates must chain to, and `ssl.client.auth`. Fails (with OpenSSL's reason) when the
/// key does not match the certificate.
pub fn acceptor(tls: &RestTls) -> Result<Arc<SslAcceptor>, String> {
    let identity = tls
        .identity
        .as_ref()
        .ok_or("an https listener needs a key and certificate (ssl.keystore.*)")?;
    let fail = |what: &str, e: openssl::error::ErrorStack| format!("{what}: {e}");
    let mut b = SslAcceptor::mozilla_intermediate_v5(SslMethod::tls_server())
        .map_err(|e| fail("cannot set up TLS", e))?;
    let (leaf, rest) = identity
        .chain
        .split_first()
        .ok_or("the keystore holds no certificate")?;
    b.set_certificate(leaf)
        .map_err(|e| fail("the keystore's certificate cannot be used", e))?;
    for cert in rest {
        b.add_extra_chain_cert(cert.clone())
            .map_err(|e| fail("a chain certificate of the keystore cannot be used", e))?;
    }
    b.set_private_key(&identity.key)
        .map_err(|e| fail("the keystore's key cannot be used", e))?;
    b.check_private_key()
        .map_err(|e| fail("the keystore's key does not belong to its certificate", e))?;
    if tls.trust.is_empty() {
        b.set_default_verify_paths()
            .map_err(|e| fail("cannot read the system's CA certificates", e))?;
    } else {
        let mut store = X509StoreBuilder::new().map_err(|e| fail("cannot set up TLS", e))?;
        for cert in &tls.trust {
            store
                .add_cert(cert.clone())
                .map_err(|e| fail("a truststore certificate cannot be used", e))?;
        }
        b.set_verify_cert_store(store.build())
            .map_err(|e| fail("the truststore cannot be used", e))?;
    }
    b.set_verify(match tls.client_auth {
        ClientAuth::None => SslVerifyMode::NONE,
        ClientAuth::Requested => SslVerifyMode::PEER,
        ClientAuth::Required => SslVerifyMode::PEER | SslVerifyMode::FAIL_IF_NO_PEER_CERT,
    });
    Ok(Arc::new(b.build()))
}

/// A bound `https://` listener: TCP accepted and TLS handshakes completed in the background.
pub struct TlsListener {
    local: SocketAddr,
    ready: mpsc::Receiver<(SslStream<TcpStream>, SocketAddr)>,
    accepting: JoinHandle<()>,
}

impl TlsListener {
    /// Starts accepting on `listener` (must run inside a tokio runtime).
    pub fn new(listener: TcpListener, acceptor: Arc<SslAcceptor>) -> io::Result<TlsListener> {
        let local = listener.local_addr()?;
        let (tx, ready) = mpsc::channel(64);
        let accepting = tokio::spawn(accept_loop(listener, acceptor, tx));
        Ok(TlsListener {
            local,
            ready,
            accepting,
        })
    }
}

impl Drop for TlsListener {
    fn drop(&mut self) {
        // The port closes with the server.
        self.accepting.abort();
    }
}

async fn accept_loop(
    listener: TcpListener,
    acceptor: Arc<SslAcceptor>,
    ready: mpsc::Sender<(SslStream<TcpStream>, SocketAddr)>,
) {
    loop {
        let (tcp, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors and the like: wait rather than spin (as axum does).
                tracing::warn!(error = %e, "REST https listener: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let acceptor = acceptor.clone();
        let ready = ready.clone();
        tokio::spawn(async move {
            match tokio::time::timeout(HANDSHAKE_TIMEOUT, handshake(&acceptor, tcp)).await {
                Ok(Ok(stream)) => {
                    let _ = ready.send((stream, peer)).await;
                }
                // A client without a trusted certificate, or one speaking plain HTTP: its
                // problem, said at debug level so a scanner cannot flood the log.
                Ok(Err(e)) => tracing::debug!(%peer, error = %e, "REST TLS handshake failed"),
                Err(_) => tracing::debug!(%peer, "REST TLS handshake timed out"),
            }
        });
    }
}

async fn handshake(acceptor: &SslAcceptor, tcp: TcpStream) -> Result<SslStream<TcpStream>, String> {
    let ssl = Ssl::new(acceptor.context()).map_err(|e| e.to_string())?;
    let mut stream = SslStream::new(ssl, tcp).map_err(|e| e.to_string())?;
    Pin::new(&mut stream)
        .accept()
        .await
        .map_err(|e| e.to_string())?;
    Ok(stream)
}

impl axum::serve::Listener for TlsListener {
    type Io = SslStream<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.ready.recv().await {
            Some(accepted) => accepted,
            // The accept loop never ends on its own; if it did, serve nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        Ok(self.local)
    }
}
