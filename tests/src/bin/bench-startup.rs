//! Start-up time: starts a worker process, polls `GET /` on its REST port every 2 ms until it
//! answers 200, then stops it (SIGTERM, SIGKILL after 30 s).
//!
//!   bench-startup --port P --log FILE -- CMD [ARGS...]
//!
//! Prints one JSON line: ms (process start to the first 200), rss_kb (resident at that moment).

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use anyhow::{Context, bail};
use clap::Parser;

#[derive(Parser)]
struct Args {
    /// The worker's REST port on 127.0.0.1.
    #[arg(long)]
    port: u16,
    /// Where the worker's output goes.
    #[arg(long)]
    log: std::path::PathBuf,
    #[arg(long, default_value_t = 120)]
    timeout: u64,
    #[arg(trailing_var_arg = true, required = true)]
    command: Vec<String>,
}

fn root_ok(port: u16) -> bool {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
    if s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut head = [0u8; 12];
    let mut got = 0;
    while got < head.len() {
        match s.read(&mut head[got..]) {
            Ok(0) | Err(_) => return false,
            Ok(n) => got += n,
        }
    }
    &head[9..12] == b"200"
}

fn rss_kb(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if root_ok(args.port) {
        bail!("something already answers on port {}", args.port);
    }
    let log = std::fs::File::create(&args.log).context("creating the log")?;
    let t0 = Instant::now();
    let mut child = Command::new(&args.command[0])
        .args(&args.command[1..])
        .stdin(Stdio::null())
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", args.command[0]))?;
    let deadline = t0 + Duration::from_secs(args.timeout);
    let result = loop {
        if root_ok(args.port) {
            break Ok((t0.elapsed(), rss_kb(child.id())));
        }
        if let Some(status) = child.try_wait()? {
            break Err(anyhow::anyhow!(
                "the worker exited ({status}) before it was ready"
            ));
        }
        if Instant::now() >= deadline {
            break Err(anyhow::anyhow!("not ready after {} s", args.timeout));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let stop = Instant::now() + Duration::from_secs(30);
    while child.try_wait()?.is_none() {
        if Instant::now() >= stop {
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let (ready, rss) = result?;
    println!(
        "{{\"ms\":{:.1},\"rss_kb\":{rss}}}",
        ready.as_secs_f64() * 1000.0
    );
    Ok(())
}
