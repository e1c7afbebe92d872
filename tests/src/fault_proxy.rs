//! A TCP proxy on 127.0.0.1 in front of an upstream `host:port` whose behaviour a test switches at
//! run time, to play a server that is stopped or hangs without touching the real one:
//!
//! - [`Mode::Forward`]: bytes flow both ways, one upstream connection per client connection.
//! - [`Mode::Refuse`]: like a stopped server. The listener is closed (connecting fails with
//!   "connection refused") and every open connection is closed. Switching back re-binds the same
//!   port, so a client configured with [`FaultProxy::url`] needs no change.
//! - [`Mode::BlackHole`]: like a hung node or a network partition. Connections are accepted and
//!   read, but nothing is ever answered; connections already open stop getting answers too.
//!   A black-holed connection stays dead after switching back to `Forward` (its upstream side is
//!   gone, as after a real partition): only new connections are forwarded again.
//!
//! The proxy runs on its own small tokio runtime, so blocking tests can use it; it stops when
//! dropped.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// What the proxy does with connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Pass bytes to and from the upstream.
    Forward,
    /// Refuse new connections and close the open ones (a stopped server).
    Refuse,
    /// Accept and read, never answer (a hung server).
    BlackHole,
}

/// How long [`FaultProxy::set_mode`] waits for the proxy to apply a mode before panicking.
const APPLY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long to wait for the upstream to accept a connection.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Counters shared between the proxy's tasks and the test.
#[derive(Default)]
struct Counters {
    /// Client connections accepted so far.
    accepted: AtomicUsize,
    /// Client connections currently open.
    open: AtomicUsize,
}

/// A running fault proxy (stopped when dropped).
pub struct FaultProxy {
    addr: SocketAddr,
    mode: watch::Sender<Mode>,
    /// The mode the acceptor has applied (listener bound or closed accordingly).
    applied: watch::Receiver<Mode>,
    counters: Arc<Counters>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl FaultProxy {
    /// Starts a proxy in [`Mode::Forward`] on a free port of 127.0.0.1, in front of `upstream`
    /// (`host:port`, or an `http://host:port` URL).
    ///
    /// # Panics
    /// If no port can be bound or the runtime cannot be built.
    pub fn start(upstream: &str) -> FaultProxy {
        let upstream = crate::host_port_of_url(upstream);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fault-proxy")
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("fault proxy: cannot build its tokio runtime: {e}"));
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .unwrap_or_else(|e| panic!("fault proxy: cannot bind a port on 127.0.0.1: {e}"));
        let addr = listener
            .local_addr()
            .expect("a bound listener has an address");
        let (mode, mode_rx) = watch::channel(Mode::Forward);
        let (applied_tx, applied) = watch::channel(Mode::Forward);
        let counters = Arc::new(Counters::default());
        runtime.spawn(accept_loop(
            listener,
            addr,
            upstream,
            mode_rx,
            applied_tx,
            counters.clone(),
        ));
        FaultProxy {
            addr,
            mode,
            applied,
            counters,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:<port>`: what to give a client instead of the upstream's URL.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The proxy's address (the same in every mode).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The current mode.
    pub fn mode(&self) -> Mode {
        *self.mode.borrow()
    }

    /// Switches the mode and returns once it is in effect: for `Refuse`, the port refuses
    /// connections and every connection is closed; otherwise the port accepts again.
    ///
    /// # Panics
    /// If the proxy does not apply the mode within 10 s (for example, the port was taken by
    /// another process while it was closed).
    pub fn set_mode(&self, mode: Mode) {
        self.mode.send_replace(mode);
        let deadline = Instant::now() + APPLY_TIMEOUT;
        loop {
            let listener_done = *self.applied.borrow() == mode;
            let connections_done =
                mode != Mode::Refuse || self.counters.open.load(Ordering::SeqCst) == 0;
            if listener_done && connections_done {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "fault proxy on {}: mode {mode:?} not applied within {APPLY_TIMEOUT:?} (applied: {:?}, open connections: {}); if the port was taken while refusing, use another test run",
                self.addr,
                *self.applied.borrow(),
                self.counters.open.load(Ordering::SeqCst)
            );
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Client connections accepted so far (in any mode).
    pub fn accepted(&self) -> usize {
        self.counters.accepted.load(Ordering::SeqCst)
    }

    /// Client connections open now.
    pub fn open_connections(&self) -> usize {
        self.counters.open.load(Ordering::SeqCst)
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            // Ends every task; their sockets close.
            rt.shutdown_background();
        }
    }
}

/// Binds the proxy's port again after `Refuse` (retrying briefly: the old socket may still be
/// closing).
async fn rebind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let deadline = Instant::now() + APPLY_TIMEOUT;
    loop {
        match TcpListener::bind(addr).await {
            Ok(l) => return Ok(l),
            Err(e) if Instant::now() >= deadline => return Err(e),
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    addr: SocketAddr,
    upstream: String,
    mut mode: watch::Receiver<Mode>,
    applied: watch::Sender<Mode>,
    counters: Arc<Counters>,
) {
    let mut listener = Some(listener);
    loop {
        let current = *mode.borrow_and_update();
        if current == Mode::Refuse {
            // Closing the listener is what makes connects fail with "connection refused".
            listener = None;
        } else if listener.is_none() {
            match rebind(addr).await {
                Ok(l) => listener = Some(l),
                Err(e) => {
                    tracing::error!("fault proxy: cannot bind {addr} again: {e}");
                    return;
                }
            }
        }
        applied.send_replace(current);
        match &listener {
            None => {
                if mode.changed().await.is_err() {
                    return;
                }
            }
            Some(l) => {
                tokio::select! {
                    changed = mode.changed() => if changed.is_err() { return },
                    accepted = l.accept() => {
                        let Ok((client, _)) = accepted else { continue };
                        counters.accepted.fetch_add(1, Ordering::SeqCst);
                        counters.open.fetch_add(1, Ordering::SeqCst);
                        let (upstream, mode, counters) = (upstream.clone(), mode.clone(), counters.clone());
                        tokio::spawn(async move {
                            serve(client, &upstream, mode).await;
                            counters.open.fetch_sub(1, Ordering::SeqCst);
                        });
                    }
                }
            }
        }
    }
}

/// One client connection, until it closes or the proxy refuses.
async fn serve(mut client: TcpStream, upstream: &str, mut mode: watch::Receiver<Mode>) {
    let _ = client.set_nodelay(true);
    if *mode.borrow_and_update() == Mode::Forward {
        let connect = tokio::time::timeout(UPSTREAM_CONNECT_TIMEOUT, TcpStream::connect(upstream));
        let Ok(Ok(mut up)) = connect.await else {
            return; // upstream unreachable: the client sees the connection closed
        };
        let _ = up.set_nodelay(true);
        let (mut cr, mut cw) = client.split();
        let (mut ur, mut uw) = up.split();
        let done = async {
            tokio::select! {
                _ = tokio::io::copy(&mut cr, &mut uw) => {}
                _ = tokio::io::copy(&mut ur, &mut cw) => {}
            }
        };
        tokio::pin!(done);
        loop {
            tokio::select! {
                _ = &mut done => return,
                changed = mode.changed() => {
                    if changed.is_err() { return }
                    match *mode.borrow_and_update() {
                        Mode::Forward => continue,
                        // Dropping the upstream side makes this connection dead for good.
                        Mode::Refuse | Mode::BlackHole => break,
                    }
                }
            }
        }
    }
    // Black hole: read and discard until the client leaves or the proxy refuses.
    let mut sink = vec![0u8; 16 * 1024];
    loop {
        if *mode.borrow_and_update() == Mode::Refuse {
            let _ = client.shutdown().await;
            return;
        }
        tokio::select! {
            read = client.read(&mut sink) => match read {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            },
            changed = mode.changed() => if changed.is_err() { return },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{ErrorKind, Read, Write};
    use std::net::TcpStream as StdStream;

    /// An upstream that answers every read with `echo:` and the bytes read.
    fn echo_upstream() -> String {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = l.local_addr().unwrap().to_string();
        std::thread::spawn(move || {
            for c in l.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut c = c;
                    let mut buf = [0u8; 1024];
                    while let Ok(n) = c.read(&mut buf) {
                        if n == 0 {
                            return;
                        }
                        let mut out = b"echo:".to_vec();
                        out.extend_from_slice(&buf[..n]);
                        if c.write_all(&out).is_err() {
                            return;
                        }
                    }
                });
            }
        });
        addr
    }

    fn connect(p: &FaultProxy) -> std::io::Result<StdStream> {
        let s = StdStream::connect_timeout(&p.addr(), Duration::from_secs(2))?;
        s.set_read_timeout(Some(Duration::from_millis(300)))?;
        Ok(s)
    }

    /// Sends `msg` and returns what came back within the read timeout (`None`: nothing, `Some("")`:
    /// closed).
    fn ask(s: &mut StdStream, msg: &str) -> Option<String> {
        if s.write_all(msg.as_bytes()).is_err() {
            return Some(String::new());
        }
        let mut buf = [0u8; 1024];
        match s.read(&mut buf) {
            Ok(n) => Some(String::from_utf8_lossy(&buf[..n]).into_owned()),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => None,
            Err(_) => Some(String::new()),
        }
    }

    #[test]
    fn forwards_both_ways() {
        let p = FaultProxy::start(&echo_upstream());
        assert_eq!(p.mode(), Mode::Forward);
        assert!(p.url().starts_with("http://127.0.0.1:"));
        let mut s = connect(&p).unwrap();
        assert_eq!(ask(&mut s, "ping").as_deref(), Some("echo:ping"));
        assert_eq!(ask(&mut s, "again").as_deref(), Some("echo:again"));
        assert_eq!(p.accepted(), 1);
    }

    #[test]
    fn an_http_url_is_accepted_as_upstream() {
        let p = FaultProxy::start(&format!("http://{}/", echo_upstream()));
        let mut s = connect(&p).unwrap();
        assert_eq!(ask(&mut s, "x").as_deref(), Some("echo:x"));
    }

    #[test]
    fn refuse_closes_the_port_and_every_connection_then_the_same_port_forwards_again() {
        let p = FaultProxy::start(&echo_upstream());
        let addr = p.addr();
        let mut open = connect(&p).unwrap();
        assert_eq!(ask(&mut open, "a").as_deref(), Some("echo:a"));
        p.set_mode(Mode::Refuse);
        assert_eq!(p.open_connections(), 0);
        let e = connect(&p).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConnectionRefused, "{e}");
        assert_eq!(
            ask(&mut open, "b").as_deref(),
            Some(""),
            "an open connection is closed"
        );
        p.set_mode(Mode::Forward);
        assert_eq!(p.addr(), addr);
        let mut s = connect(&p).unwrap();
        assert_eq!(ask(&mut s, "c").as_deref(), Some("echo:c"));
        // Refusing twice in a row and back works too.
        p.set_mode(Mode::Refuse);
        p.set_mode(Mode::Refuse);
        assert!(connect(&p).is_err());
        p.set_mode(Mode::Forward);
        assert_eq!(
            ask(&mut connect(&p).unwrap(), "d").as_deref(),
            Some("echo:d")
        );
    }

    #[test]
    fn black_hole_accepts_and_reads_but_never_answers() {
        let p = FaultProxy::start(&echo_upstream());
        let mut before = connect(&p).unwrap();
        assert_eq!(ask(&mut before, "a").as_deref(), Some("echo:a"));
        p.set_mode(Mode::BlackHole);
        assert_eq!(
            ask(&mut before, "b"),
            None,
            "an open connection gets no answer"
        );
        let mut during = connect(&p).expect("connections are accepted");
        // Reads keep going: a large request does not block the client.
        during
            .write_all(&vec![b'x'; 1 << 20])
            .expect("the proxy reads");
        assert_eq!(
            ask(&mut during, "c"),
            None,
            "a new connection gets no answer"
        );
        p.set_mode(Mode::Forward);
        let mut after = connect(&p).unwrap();
        assert_eq!(ask(&mut after, "d").as_deref(), Some("echo:d"));
        assert_eq!(
            ask(&mut before, "e"),
            None,
            "a black-holed connection stays dead"
        );
        // Refusing closes the dead connections as well.
        p.set_mode(Mode::Refuse);
        assert_eq!(ask(&mut during, "f").as_deref(), Some(""));
        assert_eq!(p.open_connections(), 0);
    }

    #[test]
    fn an_unreachable_upstream_closes_the_client_connection() {
        let port = crate::worker::free_port();
        let p = FaultProxy::start(&format!("127.0.0.1:{port}"));
        let mut s = connect(&p).unwrap();
        assert_eq!(ask(&mut s, "x").as_deref(), Some(""));
    }
}
