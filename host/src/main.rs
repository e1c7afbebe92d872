//! `connect`: the binary. Parses arguments, wires the layers (config → plugins → runtime →
//! storage → rest), runs until SIGTERM/Ctrl-C, and reports a fatal error as `connect: <what>`
//! with exit code 1.

use std::{
    net::{SocketAddr, ToSocketAddrs},
    path::PathBuf,
    process::ExitCode,
    sync::Arc,
    time::Duration,
};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use connect_data::config_providers::ConfigTransformer;
use connect_host::{
    config::{self, Mode, WorkerConfig, load_connector_file},
    plugins::{PluginRegistry, config_provider::worker_transformer, scan::split_plugin_path},
    rest::{self, RestState, tracing_control::TracingLoggers},
    runtime::{
        herder::{Herder, HerderParts},
        stores::{ConfigLog, OffsetStore, StatusStore},
        task_spec::WorkerContext,
    },
    storage::{
        FileOffsetStore, KafkaConfigLog, KafkaOffsetStore, KafkaStatusStore, MemoryConfigLog,
        MemoryStatusStore,
    },
};
use tracing_subscriber::{
    EnvFilter, Registry, layer::SubscriberExt, reload, util::SubscriberInitExt,
};

/// A Kafka Connect compatible worker that loads connector plugins from plugin.path.
#[derive(Parser)]
#[command(name = "connect", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs a worker of a group: configs, offsets and statuses live in Kafka topics.
    /// Settings come from the file (.properties, .yaml, .json) and CONNECT_* variables.
    Distributed {
        /// Worker configuration file (optional when CONNECT_* variables say everything).
        worker_config: Option<PathBuf>,
    },
    /// Runs one worker with connectors from files; source offsets in offset.storage.file.filename.
    Standalone {
        /// Worker configuration file.
        worker_config: PathBuf,
        /// Connector configuration files (.properties, .json or .yaml).
        connector_configs: Vec<PathBuf>,
    },
    /// Inspect or install connector plugins.
    #[command(subcommand)]
    Plugins(PluginsCommand),
}

#[derive(Subcommand)]
enum PluginsCommand {
    /// Lists the connector classes found on plugin.path, and every file refused with its reason.
    List {
        /// Comma-separated plugin directories (as the worker's plugin.path).
        #[arg(
            long = "plugin-path",
            env = "CONNECT_PLUGIN_PATH",
            value_name = "DIR[,DIR…]"
        )]
        plugin_path: String,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Installs a plugin package (.zip or directory) as confluent-hub does: into
    /// COMPONENT_DIR/<owner>-<name>/, after checking it loads. Safe to repeat.
    Install {
        /// The package: a .zip from scripts/package-plugin.sh, or an unpacked directory.
        package: PathBuf,
        /// The directory to install into (a plugin.path entry or its parent).
        #[arg(long = "component-dir", value_name = "DIR")]
        component_dir: PathBuf,
    },
    /// Writes a new plugin crate DIR/NAME (Cargo.toml, manifest.json, src/lib.rs, tests/) that
    /// builds outside this repository; package it with scripts/package-plugin.sh.
    New {
        /// Crate name (lowercase, `-`/`_`), e.g. hello-sink; the library is connect_<name>.
        name: String,
        /// What the crate provides.
        #[arg(long, value_enum)]
        kind: NewKind,
        /// Where to create the crate directory.
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Class name (default com.example.<CamelName>Connector, or …Transform).
        #[arg(long)]
        class: Option<String>,
        /// Path dependency on connect-plugin-api: this repository's plugin-api directory (default:
        /// $CONNECT_PLUGIN_API_PATH, else the source tree this binary was built from).
        #[arg(long = "api-path", value_name = "PATH", conflicts_with = "api_git")]
        api_path: Option<PathBuf>,
        /// Git dependency on connect-plugin-api instead: the repository URL (needs --api-rev).
        #[arg(long = "api-git", value_name = "URL", requires = "api_rev")]
        api_git: Option<String>,
        /// The revision of --api-git (commit, tag).
        #[arg(long = "api-rev", value_name = "REV", requires = "api_git")]
        api_rev: Option<String>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum NewKind {
    Sink,
    Source,
    Transform,
}

fn main() -> ExitCode {
    let loggers = match init_logging() {
        Ok(l) => l,
        Err(e) => {
            eprintln!("connect: {e}");
            return ExitCode::FAILURE;
        }
    };
    let cli = Cli::parse();
    match run(cli, loggers) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("connect: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logging to stderr; `CONNECT_LOG` (an EnvFilter, default `info`) sets levels, and
/// `/admin/loggers` changes them at run time through the reload handle. `CONNECT_LOG_FORMAT`
/// is `text` (default) or `json` (one object per line); both carry Kafka Connect's
/// `[connector|task-N]` context (`log_context`).
fn init_logging() -> anyhow::Result<Arc<TracingLoggers>> {
    use connect_host::log_context::{ContextLayer, JsonFormat, TextFormat};
    let json = match std::env::var("CONNECT_LOG_FORMAT") {
        Err(_) => false,
        Ok(v) if v.trim().is_empty() || v.trim().eq_ignore_ascii_case("text") => false,
        Ok(v) if v.trim().eq_ignore_ascii_case("json") => true,
        Ok(v) => anyhow::bail!("CONNECT_LOG_FORMAT={v}: expected text or json"),
    };
    let initial = std::env::var("CONNECT_LOG").unwrap_or_else(|_| "info".into());
    let filter = EnvFilter::try_new(&initial).unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = reload::Layer::<EnvFilter, Registry>::new(filter);
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let text = (!json).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(connect_host::runtime::secrets::RedactingStderr)
            .with_ansi(ansi)
            .event_format(TextFormat { ansi })
    });
    let json = json.then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(connect_host::runtime::secrets::RedactingStderr)
            .with_ansi(false)
            .event_format(JsonFormat)
    });
    tracing_subscriber::registry()
        .with(filter)
        .with(ContextLayer)
        .with(text)
        .with(json)
        .init();
    Ok(Arc::new(TracingLoggers::new(&initial, handle)))
}

fn run(cli: Cli, loggers: Arc<TracingLoggers>) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plugins(PluginsCommand::List { plugin_path, json }) => {
            let registry = PluginRegistry::load(&split_plugin_path(&plugin_path));
            print_plugins(&registry, json)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugins(PluginsCommand::Install {
            package,
            component_dir,
        }) => {
            let done = connect_host::plugins::install::install(&package, &component_dir)?;
            let verb = if done.unchanged {
                "already installed"
            } else {
                "installed"
            };
            println!(
                "{} {} {verb} in {}",
                done.manifest.component_dir_name(),
                done.manifest.version,
                done.path.display()
            );
            for class in &done.classes {
                println!("  {class}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Plugins(PluginsCommand::New {
            name,
            kind,
            dir,
            class,
            api_path,
            api_git,
            api_rev,
        }) => {
            use connect_host::scaffold;
            let kind = match kind {
                NewKind::Sink => scaffold::Kind::Sink,
                NewKind::Source => scaffold::Kind::Source,
                NewKind::Transform => scaffold::Kind::Transform,
            };
            let api = scaffold::resolve_api(api_path.as_deref(), api_git.zip(api_rev))?;
            let done = scaffold::generate(&scaffold::Options {
                name,
                kind,
                dir,
                class,
                api,
            })?;
            println!(
                "created {} plugin {} (class {}, library lib{}) in {}",
                kind.name(),
                done.path.file_name().unwrap_or_default().to_string_lossy(),
                done.class,
                done.lib,
                done.path.display()
            );
            for file in &done.files {
                println!("  {file}");
            }
            println!(
                "next: cd {} && cargo test, then scripts/package-plugin.sh {} (from the connect repository) and connect plugins install <zip> --component-dir <plugin dir>",
                done.path.display(),
                done.path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Distributed { worker_config } => {
            let loaded = load_worker(Mode::Distributed, worker_config.as_deref())?;
            serve_worker(loaded, Vec::new(), loggers)
        }
        Command::Standalone {
            worker_config,
            connector_configs,
        } => {
            let loaded = load_worker(Mode::Standalone, Some(&worker_config))?;
            serve_worker(loaded, connector_configs, loggers)
        }
    }
}

/// `host:port` this worker advertises (`rest.advertised.*`, else the first listener of the
/// advertised protocol).
fn worker_id(config: &WorkerConfig) -> String {
    let listener = config.rest.advertised_listener();
    let host = config
        .rest
        .advertised_host_name
        .clone()
        .or_else(|| {
            listener
                .map(|l| l.host.clone())
                .filter(|h| !h.is_empty() && h != "0.0.0.0")
        })
        .unwrap_or_else(|| "localhost".into());
    let port = config
        .rest
        .advertised_port
        .or(listener.map(|l| l.port))
        .unwrap_or(8083);
    format!("{host}:{port}")
}

fn listen_addresses(
    listeners: &[connect_host::config::Listener],
) -> anyhow::Result<Vec<SocketAddr>> {
    let mut out = Vec::new();
    for l in listeners {
        let host = if l.host.is_empty() {
            "0.0.0.0"
        } else {
            l.host.as_str()
        };
        let addr = (host, l.port)
            .to_socket_addrs()
            .with_context(|| format!("cannot resolve listener host {host}"))?
            .next()
            .with_context(|| format!("listener host {host} has no address"))?;
        out.push(addr);
    }
    Ok(out)
}

struct Stores {
    config_log: Arc<dyn ConfigLog>,
    offsets: Arc<dyn OffsetStore>,
    statuses: Arc<dyn StatusStore>,
}

fn open_stores(config: &WorkerConfig) -> anyhow::Result<Stores> {
    let bootstrap = config.bootstrap_servers.join(",");
    match (&config.distributed, &config.offset_storage_file) {
        (Some(d), _) => {
            // The worker-wide client settings, as Kafka's backing stores take them.
            let props = &config::kafka_client::librdkafka_settings(
                config,
                config::kafka_client::Layers::Worker,
            )?;
            let c = &d.config_topic;
            let o = &d.offset_topic;
            let s = &d.status_topic;
            Ok(Stores {
                config_log: Arc::new(KafkaConfigLog::open(
                    &bootstrap,
                    &c.name,
                    c.replication_factor,
                    props,
                )?),
                offsets: Arc::new(KafkaOffsetStore::open(
                    &bootstrap,
                    &o.name,
                    o.partitions,
                    o.replication_factor,
                    props,
                )?),
                statuses: Arc::new(KafkaStatusStore::open(
                    &bootstrap,
                    &s.name,
                    s.partitions,
                    s.replication_factor,
                    props,
                )?),
            })
        }
        (None, Some(file)) => Ok(Stores {
            config_log: Arc::new(MemoryConfigLog::new()),
            offsets: Arc::new(FileOffsetStore::open(file.clone())?),
            statuses: Arc::new(MemoryStatusStore::new()),
        }),
        (None, None) => bail!("standalone mode needs offset.storage.file.filename"),
    }
}

fn cluster_id(config: &WorkerConfig) -> Option<String> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer =
        config::kafka_client::client_config(config, config::kafka_client::Layers::Worker)
            .ok()?
            .create()
            .ok()?;
    consumer.client().fetch_cluster_id(Duration::from_secs(10))
}

/// A worker's typed config, its plugins and its config transformer.
struct LoadedWorker {
    config: WorkerConfig,
    registry: Arc<PluginRegistry>,
    transformer: Arc<ConfigTransformer>,
    /// The REST users, when `rest.extension.classes` asks for basic authentication.
    auth: Option<Arc<rest::basic_auth::BasicAuth>>,
}

/// The transport of each listener: plain, or TLS with the acceptor of its settings (read now,
/// so a bad keystore fails the start, naming it).
fn transports(
    listeners: &[connect_host::config::Listener],
    tls: &config::rest_tls::TlsSettings,
) -> anyhow::Result<Vec<rest::Transport>> {
    let mut acceptor = None;
    let mut out = Vec::with_capacity(listeners.len());
    for l in listeners {
        out.push(match l.scheme {
            config::Scheme::Http => rest::Transport::Http,
            config::Scheme::Https => {
                if acceptor.is_none() {
                    let loaded = config::rest_tls::RestTls::load(tls).map_err(|errors| {
                        let text: Vec<String> = errors
                            .iter()
                            .map(|e| format!("{}: {}", e.key, e.message))
                            .collect();
                        anyhow::anyhow!("worker config: {}", text.join("; "))
                    })?;
                    acceptor = Some(rest::tls::acceptor(&loaded).map_err(|e| {
                        anyhow::anyhow!(
                            "worker config: the https listener {}://{}:{} cannot use its TLS settings ({}ssl.keystore.*): {e}",
                            l.scheme.as_str(),
                            l.host,
                            l.port,
                            tls.prefix
                        )
                    })?);
                }
                rest::Transport::Https(acceptor.clone().expect("set above"))
            }
        });
    }
    Ok(out)
}

/// Reads the worker settings, loads the plugins of their (unresolved) `plugin.path`, builds the
/// config providers `config.providers` names (built-in or from a plugin) and resolves every
/// `${provider:path:key}` of the settings with them before they are typed, as Kafka's
/// `WorkerConfig` does. The resolved values are never logged.
fn load_worker(mode: Mode, file: Option<&std::path::Path>) -> anyhow::Result<LoadedWorker> {
    let props = WorkerConfig::load_props(file, std::env::vars())?;
    let registry = Arc::new(PluginRegistry::load(&WorkerConfig::plugin_path_of(&props)));
    let transformer = worker_transformer(&props, &registry)
        .map_err(|e| anyhow::anyhow!("worker config: config.providers: {e}"))?;
    let resolved = transformer.transform(&props).map_err(|e| {
        anyhow::anyhow!(
            "worker config: config provider '{}' could not resolve path '{}': {e}",
            e.provider(),
            e.path()
        )
    })?;
    let config = WorkerConfig::from_props(mode, resolved.into_parts().0)?;
    if config.distributed.is_some() {
        // The group membership client's TLS and SASL (its certificates and keys are read now).
        let java =
            config::kafka_client::java_settings(&config, config::kafka_client::Layers::Worker);
        connect_host::cluster::coordinator::WireSecurity::from_settings(&java).map_err(|e| {
            anyhow::anyhow!(
                "worker config: the group membership client cannot connect securely: {e}"
            )
        })?;
    }
    let auth = if config.rest.basic_auth {
        let opts = std::env::var("KAFKA_OPTS").ok();
        let auth = rest::basic_auth::BasicAuth::from_kafka_opts(opts.as_deref())
            .map_err(|e| anyhow::anyhow!("worker config: {e}"))?;
        Some(Arc::new(auth))
    } else {
        None
    };
    Ok(LoadedWorker {
        config,
        registry,
        transformer: Arc::new(transformer),
        auth,
    })
}

/// Runs a worker until a signal arrives. The REST listeners come first after the plugins
/// (which may provide the worker config's providers): they are bound before anything else
/// happens, so a taken port fails the start (exit 1, naming the address and the setting) before
/// any store is opened or connector started, and they answer at once: `/health` says
/// "starting" (503) while the stores and herder are set up, then the herder's answer. If the
/// REST server fails while the worker runs, the worker shuts down and exits 1.
fn serve_worker(
    loaded: LoadedWorker,
    connector_files: Vec<PathBuf>,
    loggers: Arc<TracingLoggers>,
) -> anyhow::Result<ExitCode> {
    let LoadedWorker {
        config,
        registry,
        transformer,
        auth,
    } = loaded;
    config.log_ignored();
    let config = Arc::new(config);
    let mut addrs = listen_addresses(&config.rest.listeners)?;
    let main_count = addrs.len();
    // `admin.listeners` with listeners: `/admin` is served there, and only there.
    let admin_listeners = config
        .rest
        .admin_listeners
        .clone()
        .filter(|l| !l.is_empty());
    let mut transports_of = transports(&config.rest.listeners, &config.rest.tls)?;
    if let Some(admin) = &admin_listeners {
        addrs.extend(listen_addresses(admin)?);
        transports_of.extend(transports(admin, &config.rest.admin_tls)?);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let listeners = runtime
        .block_on(rest::bind(&addrs))
        .map_err(|e| bind_failure(&config, main_count, &e))?;
    let (router, slot) = rest::starting_router();
    let (admin_router, admin_slot) = rest::starting_router();
    let routed = listeners
        .into_iter()
        .zip(transports_of)
        .enumerate()
        .map(|(i, (l, transport))| {
            let r = if i < main_count {
                &router
            } else {
                &admin_router
            };
            (l, transport, r.clone())
        })
        .collect();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let mut server = runtime.spawn(rest::serve_listeners(routed, async move {
        let _ = stop_rx.await;
    }));

    // Blocking set-up (Kafka) on this thread, while the runtime serves REST.
    let stores = open_stores(&config)?;
    let worker = Arc::new(WorkerContext {
        worker_id: worker_id(&config),
        config: config.clone(),
        offsets: stores.offsets,
        statuses: stores.statuses,
        generation: Default::default(),
        config_transformer: transformer,
        plugins: registry.clone(),
    });
    let herder = Herder::new(HerderParts {
        cluster_id: cluster_id(&config),
        config: config.clone(),
        plugins: registry,
        config_log: stores.config_log,
        worker,
        runtime: Some(runtime.handle().clone()),
    });
    runtime.block_on(async move {
        let state = RestState {
            herder: herder.clone(),
            loggers,
            auth,
        };
        // `admin.listeners=` (empty) disables the admin endpoints, as in Kafka Connect; with
        // listeners, they move there.
        let admin_elsewhere = config.rest.admin_listeners.is_some();
        admin_slot.install(rest::admin_router(state.clone()));
        slot.install(if admin_elsewhere {
            rest::router_without_admin(state)
        } else {
            rest::router(state)
        });
        let run = async {
            let h = herder.clone();
            tokio::task::spawn_blocking(move || h.start()).await??;
            for file in &connector_files {
                let (name, props) = load_connector_file(file)?;
                let h = herder.clone();
                tokio::task::spawn_blocking(move || h.create_connector(&name, props, None))
                    .await?
                    .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            }
            tracing::info!(version = %herder.server_info().version, "worker started");
            std::future::pending::<()>().await;
            anyhow::Ok(())
        };
        // A signal stops the worker whether it is still starting or running; the server ends
        // only on an error (or after the stop, which comes later).
        let server_failure = tokio::select! {
            ran = run => {
                ran?;
                None
            }
            () = shutdown_signal() => None,
            ended = &mut server => Some(server_error(ended)),
        };
        match &server_failure {
            Some(e) => tracing::error!(error = %e, "the REST server stopped; shutting down"),
            None => tracing::info!("stopping (a second SIGTERM or Ctrl-C exits at once)"),
        }
        tokio::spawn(async {
            shutdown_signal().await;
            tracing::error!("second stop signal: exiting without waiting for tasks to finish");
            std::process::exit(1);
        });
        let h = herder.clone();
        tokio::task::spawn_blocking(move || h.shutdown()).await?;
        if let Some(e) = server_failure {
            return Err(e);
        }
        let _ = stop_tx.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), server).await;
        anyhow::Ok(())
    })?;
    // REST calls still waiting on the herder must not hold the exit (the runtime would wait
    // for their blocking threads otherwise).
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(ExitCode::SUCCESS)
}

/// The fatal error for a listener that cannot be bound: the address, the listener as configured,
/// why, and what to change.
fn bind_failure(config: &WorkerConfig, main_count: usize, e: &rest::BindError) -> anyhow::Error {
    let (key, listener) = if e.index < main_count {
        ("listeners", config.rest.listeners.get(e.index))
    } else {
        let admin = config.rest.admin_listeners.as_deref().unwrap_or_default();
        ("admin.listeners", admin.get(e.index - main_count))
    };
    let listener = listener.map_or_else(|| e.addr.to_string(), ToString::to_string);
    let setting = format!("'{key}' ({})", connect_host::config::env::env_var_name(key));
    anyhow::anyhow!(
        "cannot listen on {} ({key}={listener}): {}; {}",
        e.addr,
        e.source,
        e.fix(&setting)
    )
}

/// Why the REST server ended by itself, as the worker's fatal error.
fn server_error(ended: Result<std::io::Result<()>, tokio::task::JoinError>) -> anyhow::Error {
    let why = match ended {
        Ok(Ok(())) => "it stopped without an error".to_string(),
        Ok(Err(e)) => e.to_string(),
        Err(e) => format!("it panicked or was cancelled: {e}"),
    };
    anyhow::anyhow!(
        "the REST server stopped while the worker was running: {why}; the worker shut down, \
         check the log above and start it again"
    )
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("cannot install a SIGTERM handler");
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

fn print_plugins(registry: &PluginRegistry, json: bool) -> anyhow::Result<()> {
    if json {
        let loaded: Vec<_> = registry
            .connectors()
            .iter()
            .map(|c| {
                serde_json::json!({
                    "class": c.class(), "type": c.type_name(), "version": c.info.version.as_str(),
                    "library": c.library, "plugin_api": c.api_version,
                })
            })
            .chain(registry.others().iter().map(|p| {
                serde_json::json!({
                    "class": p.info.class.as_str(), "type": p.info.kind.name(),
                    "version": p.info.version.as_str(), "library": p.library,
                    "plugin_api": p.abi.to_string(),
                })
            }))
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "loaded": loaded, "refused": registry.refused() })
            )?
        );
        return Ok(());
    }
    println!(
        "Loaded {} connector class(es) from {} librar(ies):",
        registry.connectors().len(),
        registry.library_count()
    );
    for c in registry.connectors() {
        println!(
            "  {:<6} {}  {}  ({})",
            c.type_name(),
            c.class(),
            c.info.version,
            c.library.display()
        );
    }
    if !registry.others().is_empty() {
        println!("Other plugin classes ({}):", registry.others().len());
        for p in registry.others() {
            println!(
                "  {:<16} {}  {}  ({})",
                p.info.kind.name(),
                p.info.class,
                p.info.version,
                p.library.display()
            );
        }
    }
    println!("Refused {}:", registry.refused().len());
    for r in registry.refused() {
        println!(
            "  {}\n      reason: {}\n      fix:    {}",
            r.path.display(),
            r.reason,
            r.hint
        );
    }
    Ok(())
}
