//! One small tokio runtime per plugin library, for plugins that do async I/O.
//!
//! The host's runtime is a different copy of tokio and invisible here, so a plugin cannot use it.
//! Task calls run on host threads outside any runtime, so `runtime().block_on(..)` is the way to
//! wait for async work from a task method. Two worker threads by default
//! (`CONNECT_PLUGIN_WORKER_THREADS` overrides), created on first use and never dropped (plugins are
//! never unloaded).

use std::sync::OnceLock;

static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();

/// The library's runtime.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    RUNTIME.get_or_init(|| {
        let threads = std::env::var("CONNECT_PLUGIN_WORKER_THREADS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("plugin-io")
            .enable_all()
            .build()
            .expect("cannot start the plugin's tokio runtime (out of threads or file descriptors?)")
    })
}
