//! A tiny HTTP proxy on 127.0.0.1 in front of OpenSearch that answers `429 Too Many Requests` to
//! the first N `_bulk` requests and forwards everything else: a busy node, reproducibly.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

/// A running throttling proxy (it lives as long as the test process).
pub struct ThrottlingProxy {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// `_bulk` requests answered with 429 so far.
    pub rejected: Arc<AtomicUsize>,
    /// `_bulk` requests forwarded so far.
    pub forwarded: Arc<AtomicUsize>,
}

/// Starts a proxy to `upstream` (an `http://host:port` URL) that rejects the first `reject` bulks.
pub fn start(upstream: &str, reject: usize) -> ThrottlingProxy {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let rejected = Arc::new(AtomicUsize::new(0));
    let forwarded = Arc::new(AtomicUsize::new(0));
    let (r, f) = (rejected.clone(), forwarded.clone());
    let upstream = upstream.trim_end_matches('/').to_owned();
    std::thread::spawn(move || {
        let http = reqwest::blocking::Client::new();
        for conn in listener.incoming().flatten() {
            let (http, upstream, r, f) = (http.clone(), upstream.clone(), r.clone(), f.clone());
            std::thread::spawn(move || {
                let _ = serve(conn, &http, &upstream, reject, &r, &f);
            });
        }
    });
    ThrottlingProxy {
        url,
        rejected,
        forwarded,
    }
}

fn serve(
    conn: TcpStream,
    http: &reqwest::blocking::Client,
    upstream: &str,
    reject: usize,
    rejected: &AtomicUsize,
    forwarded: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("GET").to_owned(),
            parts.next().unwrap_or("/").to_owned(),
        );
        let mut headers = Vec::new();
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h)?;
            let h = h.trim_end().to_owned();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().unwrap_or(0);
                }
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let is_bulk = path.contains("_bulk");
        if is_bulk && rejected.fetch_add(1, Ordering::SeqCst) < reject {
            let msg = br#"{"error":{"type":"es_rejected_execution_exception","reason":"rejected execution (test proxy)"},"status":429}"#;
            write!(
                out,
                "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                msg.len()
            )?;
            out.write_all(msg)?;
            continue;
        }
        if is_bulk {
            rejected.fetch_sub(1, Ordering::SeqCst);
            forwarded.fetch_add(1, Ordering::SeqCst);
        }
        let mut req = http.request(method.parse().unwrap(), format!("{upstream}{path}"));
        for (k, v) in &headers {
            if !k.eq_ignore_ascii_case("host") && !k.eq_ignore_ascii_case("content-length") {
                req = req.header(k, v);
            }
        }
        let resp = req.body(body).send().map_err(std::io::Error::other)?;
        let status = resp.status().as_u16();
        let ctype = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("application/json")
            .to_owned();
        let bytes = resp.bytes().map_err(std::io::Error::other)?;
        write!(
            out,
            "HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {}\r\n\r\n",
            bytes.len()
        )?;
        out.write_all(&bytes)?;
    }
}
