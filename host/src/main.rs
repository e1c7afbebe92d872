//! `connect`: the binary. Parses arguments, wires the layers, runs until stopped, and reports a
//! fatal error as `connect: <what>` plus a `hint:` line, with exit code 1 (2 for usage errors).

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use connect_host::plugins::{PluginRegistry, scan::split_plugin_path};

/// A Kafka Connect compatible worker that loads connector plugins from plugin.path.
#[derive(Parser)]
#[command(name = "connect", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
}

fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("connect: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    use tracing_subscriber::{EnvFilter, fmt};
    let filter = EnvFilter::try_from_env("CONNECT_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Plugins(PluginsCommand::List { plugin_path, json }) => {
            let dirs: Vec<PathBuf> = split_plugin_path(&plugin_path);
            let registry = PluginRegistry::load(&dirs);
            print_plugins(&registry, json)?;
            Ok(ExitCode::SUCCESS)
        }
    }
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
