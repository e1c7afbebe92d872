//! Turns the raw figures `scripts/bench.sh` collected (one JSON object per line) into
//! `docs/benchmarks.md` (medians with min–max, ratios computed run by run, the goals, the machine
//! and the commit) and `docs/benchmarks.json` (the same, with every raw figure).
//!
//!   bench-report --raw results.jsonl --meta meta.json --md docs/benchmarks.md --json docs/benchmarks.json
//!
//! Everything in the Markdown file from the line `<!-- notes -->` on is hand-written (profile
//! findings, notes on the goals) and kept as it is.
//!
//! A run of a subset (`scripts/bench.sh --only …`) does not lose the other scenarios: their raw
//! figures are taken over from the previous `--json` file, each row with the run it came from
//! (`"run"`: date, commit, runs, records, …), and their sections say so.

use std::{
    collections::{BTreeMap, BTreeSet},
    fmt::Write as _,
    path::{Path, PathBuf},
    process::Command,
};

use anyhow::Context;
use clap::Parser;
use serde_json::{Map, Value, json};

const NOTES_MARKER: &str = "<!-- notes -->";

#[derive(Parser)]
struct Args {
    #[arg(long)]
    raw: PathBuf,
    /// Run settings from bench.sh (records, runs, quick, …).
    #[arg(long)]
    meta: PathBuf,
    #[arg(long)]
    md: PathBuf,
    #[arg(long)]
    json: PathBuf,
}

#[derive(Clone, Copy, Debug)]
struct Stats {
    median: f64,
    min: f64,
    max: f64,
    n: usize,
}

fn stats(mut v: Vec<f64>) -> Option<Stats> {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let median = if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    };
    Some(Stats {
        median,
        min: v[0],
        max: v[n - 1],
        n,
    })
}

/// The raw figures, by scenario and variant: (round, figures).
struct Raw {
    rows: Vec<Value>,
}

impl Raw {
    fn values(&self, scenario: &str, variant: &str, metric: &str) -> Vec<(u64, f64)> {
        self.rows
            .iter()
            .filter(|r| r["scenario"] == scenario && r["variant"] == variant)
            .filter_map(|r| Some((r["round"].as_u64()?, metric_of(r, metric)?)))
            .collect()
    }

    fn stats(&self, scenario: &str, variant: &str, metric: &str) -> Option<Stats> {
        stats(
            self.values(scenario, variant, metric)
                .into_iter()
                .map(|(_, v)| v)
                .collect(),
        )
    }

    /// a / b, paired by round.
    fn ratio(&self, scenario: &str, a: &str, b: &str, metric: &str) -> Option<Stats> {
        let bs: BTreeMap<u64, f64> = self.values(scenario, b, metric).into_iter().collect();
        stats(
            self.values(scenario, a, metric)
                .into_iter()
                .filter_map(|(round, x)| Some(x / bs.get(&round)?))
                .collect(),
        )
    }

    fn has(&self, scenario: &str) -> bool {
        self.rows.iter().any(|r| r["scenario"] == scenario)
    }

    /// The earlier run a scenario's figures were kept from (None: this run's).
    fn run_of(&self, scenario: &str) -> Option<&Value> {
        self.rows
            .iter()
            .find(|r| r["scenario"] == scenario)
            .and_then(|r| r.get("run"))
    }
}

/// The `--only` name a raw scenario belongs to (`cluster-join` → `cluster`).
fn group_of(scenario: &str) -> &str {
    if scenario.starts_with("cluster-") {
        "cluster"
    } else {
        scenario
    }
}

/// The rows of the previous report (`json`) whose scenarios this run did not measure, each with
/// the run it came from.
fn kept_rows(json: &Path, meta: &Value) -> Vec<Value> {
    let Some(old) = std::fs::read_to_string(json)
        .ok()
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    else {
        return Vec::new();
    };
    let ran: BTreeSet<&str> = meta["scenarios"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let om = &old["meta"];
    let run = json!({
        "date": om["date"], "quick": om["quick"], "runs": om["runs"], "records": om["records"],
        "file_records": om["file_records"], "avg_bytes": om["avg_bytes"],
        "partitions": om["partitions"], "loadavg": om["loadavg"],
        "commit": old["machine"]["commit"].as_str().map(|c| c.chars().take(12).collect::<String>()),
        "worktree_modified": old["machine"]["worktree_modified"],
        "nproc": old["machine"]["nproc"], "cpu_model": old["machine"]["cpu_model"],
        "kernel": old["machine"]["kernel"],
    });
    old["raw"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| {
            r["scenario"]
                .as_str()
                .is_some_and(|s| !ran.contains(group_of(s)))
        })
        .map(|r| {
            let mut r = r.clone();
            if let Some(o) = r.as_object_mut() {
                o.entry("run").or_insert_with(|| run.clone());
            }
            r
        })
        .collect()
}

/// A figure of a row; `records_per_s` and `rss_mb` are derived.
fn metric_of(r: &Value, metric: &str) -> Option<f64> {
    match metric {
        "records_per_s" => Some(r["records"].as_f64()? / r["seconds"].as_f64()?),
        "rss_mb" => Some(r["rss_kb"].as_f64()? / 1024.0),
        "cpu_us_per_record" => Some(r["cpu_s"].as_f64()? * 1e6 / r["records"].as_f64()?),
        m => r[m].as_f64(),
    }
}

fn fmt_num(x: f64) -> String {
    let a = x.abs();
    if a >= 10_000.0 {
        // thousands separators
        let s = format!("{:.0}", x);
        let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        format!("{sign}{out}")
    } else if a >= 100.0 {
        format!("{x:.0}")
    } else if a >= 10.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn cell(s: Option<Stats>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.n == 1 => fmt_num(s.median),
        Some(s) => format!(
            "{} ({}–{})",
            fmt_num(s.median),
            fmt_num(s.min),
            fmt_num(s.max)
        ),
    }
}

fn fmt_ratio(x: f64) -> String {
    if x.abs() >= 0.1 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

fn ratio_cell(s: Option<Stats>) -> String {
    match s {
        None => "–".into(),
        Some(s) if s.n == 1 => format!("{}×", fmt_ratio(s.median)),
        Some(s) => format!(
            "{}× ({}–{})",
            fmt_ratio(s.median),
            fmt_ratio(s.min),
            fmt_ratio(s.max)
        ),
    }
}

fn stats_json(s: Option<Stats>) -> Value {
    match s {
        None => Value::Null,
        Some(s) => json!({"median": s.median, "min": s.min, "max": s.max, "n": s.n}),
    }
}

fn sh(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| {
            let mut s = String::from_utf8_lossy(&o.stdout).trim().to_owned();
            if s.is_empty() {
                s = String::from_utf8_lossy(&o.stderr).trim().to_owned();
            }
            s.lines().next().unwrap_or("").to_owned()
        })
        .unwrap_or_default()
}

fn machine() -> Map<String, Value> {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let mem_kb: u64 = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let nproc = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let commit = sh("git", &["rev-parse", "HEAD"]);
    let dirty = !sh("git", &["status", "--porcelain", "--untracked-files=no"]).is_empty();
    let mut m = Map::new();
    m.insert("nproc".into(), json!(nproc));
    m.insert(
        "memory_gib".into(),
        json!((mem_kb as f64 / 1048576.0 * 10.0).round() / 10.0),
    );
    m.insert("cpu_model".into(), json!(model));
    m.insert("kernel".into(), json!(sh("uname", &["-r"])));
    m.insert("commit".into(), json!(commit));
    m.insert("worktree_modified".into(), json!(dirty));
    m.insert("rustc".into(), json!(sh("rustc", &["--version"])));
    m.insert("java".into(), json!(sh("java", &["-version"])));
    m
}

struct Report {
    md: String,
    summary: Map<String, Value>,
}

impl Report {
    fn line(&mut self, s: impl AsRef<str>) {
        self.md.push_str(s.as_ref());
        self.md.push('\n');
    }

    /// A table of variants: one row each, the given metrics as columns.
    fn table(
        &mut self,
        raw: &Raw,
        scenario: &str,
        variants: &[(&str, &str)],
        metrics: &[(&str, &str)],
    ) {
        let mut head = "| |".to_owned();
        let mut rule = "|---|".to_owned();
        for (_, title) in metrics {
            let _ = write!(head, " {title} |");
            rule.push_str("---|");
        }
        self.line(head);
        self.line(rule);
        let mut summary = Map::new();
        for (variant, title) in variants {
            let mut row = format!("| {title} |");
            let mut vs = Map::new();
            for (metric, _) in metrics {
                let s = raw.stats(scenario, variant, metric);
                let _ = write!(row, " {} |", cell(s));
                vs.insert((*metric).into(), stats_json(s));
            }
            if raw.values(scenario, variant, metrics[0].0).is_empty() {
                continue;
            }
            self.line(row);
            summary.insert((*variant).into(), Value::Object(vs));
        }
        self.line("");
        self.summary
            .entry(scenario.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .unwrap()
            .insert("variants".into(), Value::Object(summary));
    }

    /// For a section whose figures were kept from an earlier run: which run.
    fn provenance(&mut self, raw: &Raw, scenario: &str) {
        let Some(run) = raw.run_of(scenario) else {
            return;
        };
        self.line(format!(
            "*Kept from an earlier run: `scripts/bench.sh{}` on {}, commit `{}`{}, on {} CPUs ({}), Linux {}; {} run(s) per variant, {} records; load average {}.*",
            if run["quick"].as_bool() == Some(true) { " --quick" } else { "" },
            run["date"].as_str().unwrap_or("?"),
            run["commit"].as_str().unwrap_or("?"),
            if run["worktree_modified"] == true { " with uncommitted changes" } else { "" },
            run["nproc"],
            run["cpu_model"].as_str().unwrap_or("?"),
            run["kernel"].as_str().unwrap_or("?"),
            run["runs"],
            run["records"].as_f64().map_or("?".into(), fmt_num),
            run["loadavg"].as_str().unwrap_or("?"),
        ));
        self.line("");
    }

    /// Ratio lines a/b per metric, computed run by run.
    fn ratios(&mut self, raw: &Raw, scenario: &str, rows: &[(&str, &str, &str, &str)]) {
        self.line("| ratio (computed run by run) | median (min–max) |");
        self.line("|---|---|");
        let mut out = Map::new();
        for (a, b, metric, title) in rows {
            let s = raw.ratio(scenario, a, b, metric);
            if s.is_none() {
                continue;
            }
            self.line(format!("| {title} | {} |", ratio_cell(s)));
            out.insert(format!("{a}/{b} {metric}"), stats_json(s));
        }
        self.line("");
        self.summary
            .entry(scenario.to_owned())
            .or_insert_with(|| Value::Object(Map::new()))
            .as_object_mut()
            .unwrap()
            .insert("ratios".into(), Value::Object(out));
    }
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let text = std::fs::read_to_string(&args.raw).context("reading the raw figures")?;
    let rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .context("parsing the raw figures")?;
    let meta: Value = serde_json::from_str(&std::fs::read_to_string(&args.meta)?)?;
    let mut rows = rows;
    rows.extend(kept_rows(&args.json, &meta));
    let raw = Raw { rows };
    let m = machine();
    let mut r = Report {
        md: String::new(),
        summary: Map::new(),
    };
    let records = meta["records"].as_u64().unwrap_or(0);
    let file_records = meta["file_records"].as_u64().unwrap_or(records);
    let runs = meta["runs"].as_u64().unwrap_or(0);
    let partitions = meta["partitions"].as_u64().unwrap_or(0);

    r.line("# Benchmarks");
    r.line("");
    r.line("<!-- Generated by scripts/bench.sh (tests/src/bin/bench-report.rs): everything above the notes marker is rewritten on each run; the notes below it are kept. -->");
    r.line("");
    r.line(format!(
        "`scripts/bench.sh{}` on {} — {} CPUs ({}), {} GiB memory, Linux {}; commit `{}`{}; {}; {}. Raw figures: [benchmarks.json](benchmarks.json).",
        if meta["quick"].as_bool() == Some(true) { " --quick" } else { "" },
        meta["date"].as_str().unwrap_or("?"),
        m["nproc"],
        m["cpu_model"].as_str().unwrap_or("?"),
        m["memory_gib"],
        m["kernel"].as_str().unwrap_or("?"),
        &m["commit"].as_str().unwrap_or("?").get(..12).unwrap_or("?"),
        if m["worktree_modified"] == true { " with uncommitted changes" } else { "" },
        m["rustc"].as_str().unwrap_or("?"),
        m["java"].as_str().unwrap_or("?"),
    ));
    r.line("");
    r.line(format!(
        "Every scenario of this run ran {runs} time(s) per variant, variants alternating within each round (the order reversed every other round); cells are medians with (min–max); ratios are computed per round, then summarised. Records: {} product-like JSON values (~{} bytes) in a topic of {partitions} partitions; the file scenarios use {} lines of the same records. Load average when the run started: {}. Servers: Kafka 4.3.1 and OpenSearch 2.19.6 from `scripts/infra.sh`, on the same machine.",
        fmt_num(records as f64),
        meta["avg_bytes"].as_f64().map(|b| format!("{b:.0}")).unwrap_or("?".into()),
        fmt_num(file_records as f64),
        meta["loadavg"].as_str().unwrap_or("?"),
    ));
    r.line("");
    let kept: BTreeSet<String> = raw
        .rows
        .iter()
        .filter(|r| r.get("run").is_some())
        .filter_map(|r| Some(group_of(r["scenario"].as_str()?).to_owned()))
        .collect();
    if !kept.is_empty() {
        r.line(format!(
            "This run: {}. The figures of {} are kept from earlier runs (`--only` left them out); their sections say which run.",
            meta["scenarios"].as_array().map(|a| a.iter().filter_map(Value::as_str).map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", ")).unwrap_or_default(),
            kept.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(", "),
        ));
        r.line("");
    }

    // Goals.
    let es1 = raw.ratio("es", "ours-tasks1", "bulk-ceiling", "records_per_s");
    let es4 = raw.ratio("es", "ours-tasks4", "bulk-ceiling", "records_per_s");
    let src_speed = raw.ratio("file-source", "ours", "java", "records_per_s");
    let src_rss = raw.ratio("file-source", "ours", "java", "rss_kb");
    let snk_speed = raw.ratio("file-sink", "ours", "java", "records_per_s");
    let snk_rss = raw.ratio("file-sink", "ours", "java", "rss_kb");
    let ready = raw.stats("startup", "ours-50", "ms");
    let boundary = raw.stats("boundary", "batch-2000", "ns_per_record");
    let verdict = |s: Option<Stats>, ok: &dyn Fn(f64) -> bool| match s {
        None => "not measured",
        Some(s) if ok(s.median) => "met",
        Some(_) => "missed",
    };
    r.line("## Goals");
    r.line("");
    r.line("| goal | target | measured (median, min–max) | |");
    r.line("|---|---|---|---|");
    let mut goals = Vec::new();
    let mut goal = |r: &mut Report, name: &str, target: &str, measured: String, v: &str| {
        r.line(format!("| {name} | {target} | {measured} | {v} |"));
        goals.push(json!({"goal": name, "target": target, "measured": measured, "verdict": v}));
    };
    goal(
        &mut r,
        "Elasticsearch sink vs raw `_bulk` ceiling, tasks.max=1",
        "≥ 0.9×",
        ratio_cell(es1),
        verdict(es1, &|x| x >= 0.9),
    );
    goal(
        &mut r,
        "Elasticsearch sink vs raw `_bulk` ceiling, tasks.max=4",
        "≥ 0.9×",
        ratio_cell(es4),
        verdict(es4, &|x| x >= 0.9),
    );
    goal(
        &mut r,
        "File → Kafka records/s vs Java Connect",
        "≥ 3×",
        ratio_cell(src_speed),
        verdict(src_speed, &|x| x >= 3.0),
    );
    goal(
        &mut r,
        "File → Kafka peak RSS vs Java Connect",
        "≤ 0.1×",
        ratio_cell(src_rss),
        verdict(src_rss, &|x| x <= 0.1),
    );
    goal(
        &mut r,
        "Kafka → file records/s vs Java Connect",
        "≥ 3×",
        ratio_cell(snk_speed),
        verdict(snk_speed, &|x| x >= 3.0),
    );
    goal(
        &mut r,
        "Kafka → file peak RSS vs Java Connect",
        "≤ 0.1×",
        ratio_cell(snk_rss),
        verdict(snk_rss, &|x| x <= 0.1),
    );
    goal(
        &mut r,
        "Start-up to REST ready with 50 plugins",
        "≤ 100 ms",
        cell(ready).replace(" (", " ms (")
            + if ready.is_some_and(|s| s.n == 1) {
                " ms"
            } else {
                ""
            },
        verdict(ready, &|x| x <= 100.0),
    );
    goal(
        &mut r,
        "Plugin boundary at 2,000 records per batch",
        "≤ 50 ns/record",
        cell(boundary).replace(" (", " ns (")
            + if boundary.is_some_and(|s| s.n == 1) {
                " ns"
            } else {
                ""
            },
        verdict(boundary, &|x| x <= 50.0),
    );
    r.line("");
    r.summary.insert("goals".into(), Value::Array(goals));

    let pipeline_metrics: &[(&str, &str)] = &[
        ("records_per_s", "records/s"),
        ("seconds", "seconds"),
        ("rss_mb", "peak RSS (MB)"),
        ("cpu_s", "CPU (s)"),
        ("cpu_us_per_record", "CPU µs/record"),
    ];

    if raw.has("es") {
        r.line("## Kafka → Elasticsearch (OpenSearch)");
        r.line("");
        r.provenance(&raw, "es");
        let records = raw
            .run_of("es")
            .and_then(|run| run["records"].as_u64())
            .unwrap_or(records);
        r.line(format!("{} records already in the topic; from creating the connector (or starting the loader) until OpenSearch's `_count` sees them all (polled every 100 ms; the index refreshes every second). Our Elasticsearch sink in our host (standalone, one process per run), configured like the seed: JsonConverter with schemas.enable=false, key.ignore=true, schema.ignore=true, batch.size 2000, max.in.flight.requests 5. The ceiling is `bench-bulk-loader`: a bare consumer (our sink tasks' consumer settings, partitions assigned, no group) and raw `_bulk` requests with the same action lines, batch size and concurrency (5 requests in flight; our sink has 5 per task, so 20 with tasks.max=4). The index is deleted before every run. RSS and CPU are those of the worker (or loader) process.", fmt_num(records as f64)));
        r.line("");
        r.table(
            &raw,
            "es",
            &[
                ("ours-tasks1", "our sink, tasks.max=1"),
                ("ours-tasks4", "our sink, tasks.max=4"),
                ("bulk-ceiling", "raw `_bulk` loader (ceiling)"),
            ],
            pipeline_metrics,
        );
        r.ratios(
            &raw,
            "es",
            &[
                (
                    "ours-tasks1",
                    "bulk-ceiling",
                    "records_per_s",
                    "records/s, tasks.max=1 / ceiling",
                ),
                (
                    "ours-tasks4",
                    "bulk-ceiling",
                    "records_per_s",
                    "records/s, tasks.max=4 / ceiling",
                ),
            ],
        );
    }
    for (scenario, title, what) in [
        (
            "file-source",
            "File → Kafka",
            "A file of the records as lines; from creating the FileStreamSource connector (`batch.size` 2000 on both) until the topic's end offsets hold every line. StringConverter on both sides; each worker is a fresh standalone process per run (ours: `connect standalone`; Java: `ConnectStandalone` 4.3.1 with the connect-file plugin, `-Xms256m -Xmx2g` G1 as Kafka's scripts set it), default producer settings and offset.flush.interval.ms (60 s) on both. Peak RSS is the process's VmHWM (start-up included); CPU is user+system time from creating the connector to the end.",
        ),
        (
            "file-sink",
            "Kafka → file",
            "The records topic, read by a FileStreamSink connector (new consumer group each run, `consumer.max.poll.records=2000` on both) until the output file holds every line. StringConverter on both sides; fresh standalone processes as above; offset.flush.interval.ms 100 on both (our sink writes its last buffer, and syncs the file, when offsets are committed; Java's writes every record through an unbuffered stream and does not sync).",
        ),
    ] {
        if !raw.has(scenario) {
            continue;
        }
        r.line(format!("## {title}"));
        r.line("");
        r.provenance(&raw, scenario);
        r.line(what);
        r.line("");
        r.table(
            &raw,
            scenario,
            &[("ours", "ours"), ("java", "Java Kafka Connect")],
            pipeline_metrics,
        );
        r.ratios(
            &raw,
            scenario,
            &[
                ("ours", "java", "records_per_s", "records/s, ours / Java"),
                ("ours", "java", "rss_kb", "peak RSS, ours / Java"),
                ("ours", "java", "cpu_s", "CPU seconds, ours / Java"),
            ],
        );
    }
    if raw.has("sink-overhead") {
        r.line("## Sink overhead");
        r.line("");
        r.provenance(&raw, "sink-overhead");
        r.line("Our file sink writing to /dev/null through the whole sink pipeline (consumer group, StringConverter, batch, plugin `put`, offset commits), until its committed offsets reach the end of the topic, against `bench-bare-consumer`: a bare rdkafka consumer with the same consumer settings as our sink tasks, joining a fresh group and reading the same topic to the end (time from creating the consumer to the last record).");
        r.line("");
        r.table(
            &raw,
            "sink-overhead",
            &[
                ("ours", "our sink pipeline → /dev/null"),
                ("bare-consumer", "bare rdkafka consumer"),
            ],
            pipeline_metrics,
        );
        r.ratios(
            &raw,
            "sink-overhead",
            &[(
                "ours",
                "bare-consumer",
                "records_per_s",
                "records/s, ours / bare consumer",
            )],
        );
    }
    if raw.has("startup") {
        r.line("## Start-up");
        r.line("");
        r.provenance(&raw, "startup");
        r.line("From spawning the process to the first `GET /` answered 200 (polled every 2 ms), standalone mode, no connectors. 50 plugins: ours, 25 copies each of the file-sink and file-source components (`<owner>-<name>-N/manifest.json` + `lib/*.so`), every library ELF-checked and loaded (duplicate classes are refused with a log line after loading); Java, 50 copies of the connect-file plugin directory with `plugin.discovery=service_load` (the faster discovery mode; the default `hybrid_warn` also scans classes by reflection).");
        r.line("");
        r.table(
            &raw,
            "startup",
            &[
                ("ours-0", "ours, 0 plugins"),
                ("ours-50", "ours, 50 plugins"),
                ("java-0", "Java, 0 plugins"),
                ("java-50", "Java, 50 plugins"),
            ],
            &[("ms", "ms to ready"), ("rss_mb", "RSS at ready (MB)")],
        );
        r.ratios(
            &raw,
            "startup",
            &[
                ("ours-0", "java-0", "ms", "ms, ours / Java, 0 plugins"),
                ("ours-50", "java-50", "ms", "ms, ours / Java, 50 plugins"),
            ],
        );
    }
    if raw.has("boundary") {
        r.line("## Plugin boundary");
        r.line("");
        r.provenance(&raw, "boundary");
        r.line("`cargo bench -p connect-plugin-api --bench batch`: the host fills a reused batch (16-byte key, 256-byte value, one header) and calls `put` through the abi_stable trait object; the plugin reads every key and value. Criterion's median per iteration divided by the batch size; one criterion run per round.");
        r.line("");
        r.table(
            &raw,
            "boundary",
            &[
                ("batch-1", "batch of 1"),
                ("batch-100", "batch of 100"),
                ("batch-2000", "batch of 2,000"),
            ],
            &[("ns_per_record", "ns/record")],
        );
    }

    if CLUSTER_SCENARIOS.iter().any(|s| raw.has(s)) {
        cluster_section(&mut r, &raw, &meta, &m);
    }

    // Keep the hand-written notes.
    let old = std::fs::read_to_string(&args.md).unwrap_or_default();
    let notes = old
        .find(NOTES_MARKER)
        .map(|i| old[i..].to_owned())
        .unwrap_or_else(|| format!("{NOTES_MARKER}\n\n## Notes\n\n(none yet)\n"));
    let md = format!("{}{notes}", r.md);
    std::fs::write(&args.md, md).context("writing the Markdown report")?;

    let out = json!({
        "meta": meta,
        "machine": Value::Object(m),
        "summary": Value::Object(r.summary),
        "raw": raw.rows,
    });
    std::fs::write(&args.json, serde_json::to_string_pretty(&out)? + "\n")
        .context("writing the JSON report")?;
    Ok(())
}

/// The raw scenarios of `bench-cluster`.
const CLUSTER_SCENARIOS: &[&str] = &[
    "cluster-start",
    "cluster-failover",
    "cluster-failover-default",
    "cluster-join",
    "cluster-rest",
    "cluster-pipeline",
];

/// "## Distributed mode": one row per figure, ours and Java side by side, the ratio run by run.
fn cluster_section(r: &mut Report, raw: &Raw, meta: &Value, m: &Map<String, Value>) {
    let c = &meta["cluster"];
    r.line("## Distributed mode");
    r.line("");
    r.provenance(raw, "cluster-failover");
    let lines = c["lines_per_file"].as_u64().unwrap_or(0);
    r.line(format!(
        "A group of three of our workers (`connect distributed`, release build) against a group of three Java Kafka Connect 4.3.1 workers (`ConnectDistributed`, the JVM options above, the connect-file plugin), one group after the other, the order alternating by round; each group has a new `group.id` and new internal topics (offsets and status with 2 partitions, replication factor 1). Same worker settings on both sides: session.timeout.ms 10000 and heartbeat.interval.ms 3000 (Java's defaults), offset.flush.interval.ms {} (as the sink scenarios), scheduled.rebalance.max.delay.ms 0 unless said otherwise, StringConverter, consumer.max.poll.records 2000. Everything runs on this one machine ({} CPUs) beside Kafka and OpenSearch, so the three (for the join, four) workers of a group compete for the same cores. Measured by `tests/src/bin/bench-cluster.rs`:",
        c["flush_ms"].as_u64().map_or("?".into(), |v| v.to_string()),
        m["nproc"],
    ));
    r.line("");
    r.line("- **Start**: launching the three processes at once until each has logged `Starting connectors and tasks using config offset` (its first assignment).");
    r.line("- **Failover**: six FileStreamSource connectors (one task each) on empty files; once the group is quiet, SIGKILL of a follower that runs tasks (two of the six), until every survivor's `GET /connectors/{c}/status` shows each of them RUNNING on a survivor (polled every 100 ms). This includes the broker noticing the dead member: 7–10 s after its last heartbeat with these settings.");
    r.line("- **Failover, default delay**: the same with Kafka Connect's default scheduled.rebalance.max.delay.ms (300000): the survivors hold the lost tasks back for up to that long, waiting for the worker to return. About 5.5 minutes per side, so once per side in a full run, never in `--quick`.");
    r.line("- **Join**: from spawning a fourth worker's process (the same six connectors on the group) until the status the three others report shows a task RUNNING on it. Java's incremental cooperative protocol first revokes tasks from the busy workers, then hands them out in a second rebalance.");
    r.line(format!(
        "- **REST create**: `POST /connectors` of a FileStreamSource on an empty file, sent to a follower (which forwards it to the leader) or to the leader, {} times each, interleaved; before the next, the connector is RUNNING, then deleted and gone from every worker, and the group is quiet again (every worker's log shows the same generation, newer than before the deletion, for 1 s), so a create does not meet the deletion's rebalance. A 409 (rebalance in progress) is retried after 250 ms and only the call answered 201 is timed. Median and p95 (nearest rank) per run; the cells summarise those over runs.",
        c["creates"].as_u64().map_or("?".into(), |v| v.to_string()),
    ));
    r.line(format!(
        "- **Pipeline**: three FileStreamSource connectors (`batch.size` 2000), one file of {} lines each, → one topic of 3 partitions → one FileStreamSink with tasks.max 3 (its tasks append to one file). The sink is created first and waited for (tasks RUNNING, its consumer group Stable with 3 members, the Connect group quiet); the clock starts when the sources are created and stops when the sink file holds every byte (polled every 20 ms). CPU is the user+system time of all the group's workers over that span. On the group of three, then on a new group of one worker.",
        fmt_num(lines as f64),
    ));
    r.line("");

    let not_measured = |scenario: &str| -> String {
        match scenario {
            "cluster-failover-default" => format!(
                "not measured: {}",
                c["default_delay"].as_str().unwrap_or("not run")
            ),
            _ => "not measured".into(),
        }
    };
    // (scenario, ours variant, Java variant, metric, title)
    let rows: &[(&str, &str, &str, &str, &str)] = &[
        (
            "cluster-start",
            "ours",
            "java",
            "seconds",
            "start: 3 workers ready (s)",
        ),
        (
            "cluster-failover",
            "ours",
            "java",
            "seconds",
            "failover after SIGKILL, max delay 0 (s)",
        ),
        (
            "cluster-failover-default",
            "ours",
            "java",
            "seconds",
            "failover after SIGKILL, max delay 300000 (s)",
        ),
        (
            "cluster-join",
            "ours",
            "java",
            "seconds",
            "join: 4th worker to a RUNNING task (s)",
        ),
        (
            "cluster-rest",
            "ours-follower",
            "java-follower",
            "median_ms",
            "POST /connectors via a follower, median (ms)",
        ),
        (
            "cluster-rest",
            "ours-follower",
            "java-follower",
            "p95_ms",
            "POST /connectors via a follower, p95 (ms)",
        ),
        (
            "cluster-rest",
            "ours-leader",
            "java-leader",
            "median_ms",
            "POST /connectors to the leader, median (ms)",
        ),
        (
            "cluster-rest",
            "ours-leader",
            "java-leader",
            "p95_ms",
            "POST /connectors to the leader, p95 (ms)",
        ),
        (
            "cluster-pipeline",
            "ours-1w",
            "java-1w",
            "records_per_s",
            "pipeline, 1 worker (records/s)",
        ),
        (
            "cluster-pipeline",
            "ours-3w",
            "java-3w",
            "records_per_s",
            "pipeline, 3 workers (records/s)",
        ),
        (
            "cluster-pipeline",
            "ours-1w",
            "java-1w",
            "cpu_s",
            "pipeline, 1 worker: CPU (s)",
        ),
        (
            "cluster-pipeline",
            "ours-3w",
            "java-3w",
            "cpu_s",
            "pipeline, 3 workers: CPU of all 3 (s)",
        ),
    ];
    r.line("| figure | ours | Java | ours / Java (run by run) |");
    r.line("|---|---|---|---|");
    let mut out = Vec::new();
    for (scenario, ours, java, metric, title) in rows {
        let (o, j) = (
            raw.stats(scenario, ours, metric),
            raw.stats(scenario, java, metric),
        );
        let ratio = raw.ratio(scenario, ours, java, metric);
        let show = |s: Option<Stats>| match s {
            None => not_measured(scenario),
            s => cell(s),
        };
        let ratio_text = if o.is_none() && j.is_none() {
            "–".into()
        } else {
            ratio_cell(ratio)
        };
        r.line(format!(
            "| {title} | {} | {} | {ratio_text} |",
            show(o),
            show(j)
        ));
        out.push(json!({
            "figure": title, "scenario": scenario, "metric": metric,
            "ours": stats_json(o), "java": stats_json(j), "ours/java": stats_json(ratio),
        }));
    }
    let scale = |side: &str| {
        raw.ratio(
            "cluster-pipeline",
            &format!("{side}-3w"),
            &format!("{side}-1w"),
            "records_per_s",
        )
    };
    let (so, sj) = (scale("ours"), scale("java"));
    r.line(format!(
        "| pipeline records/s, 3 workers / 1 worker (run by run) | {} | {} | – |",
        ratio_cell(so),
        ratio_cell(sj)
    ));
    out.push(json!({
        "figure": "pipeline records/s, 3 workers / 1 worker",
        "ours": stats_json(so), "java": stats_json(sj),
    }));
    r.line("");

    // What the runs checked afterwards.
    let pipes: Vec<&Value> = raw
        .rows
        .iter()
        .filter(|r| r["scenario"] == "cluster-pipeline")
        .collect();
    let dup: Vec<String> = pipes
        .iter()
        .filter(|p| {
            p["duplicate_bytes"].as_u64().unwrap_or(0) > 0
                || p["topic_records"].as_u64() > p["records"].as_u64()
        })
        .map(|p| {
            format!(
                "{} round {}: {} records in the topic for {} lines, {} bytes too many in the sink file",
                p["variant"].as_str().unwrap_or("?"),
                p["round"],
                p["topic_records"],
                p["records"],
                p["duplicate_bytes"]
            )
        })
        .collect();
    let retries: Vec<String> = raw
        .rows
        .iter()
        .filter(|r| r["scenario"] == "cluster-rest" && r["retries_409"].as_u64() > Some(0))
        .map(|r| {
            format!(
                "{} round {}: {}",
                r["variant"].as_str().unwrap_or("?"),
                r["round"],
                r["retries_409"]
            )
        })
        .collect();
    let mut checks = Vec::new();
    if !pipes.is_empty() {
        checks.push(if dup.is_empty() {
            "Checked after every pipeline run (not timed): the topic held exactly one record per line and the sink file exactly the expected bytes once the sink's committed offsets reached the end, so no run delivered anything twice.".to_owned()
        } else {
            format!(
                "Duplicates (at-least-once after a rebalance), checked after each run: {}. Those runs' times are to the expected byte count, which duplicates reach early.",
                dup.join("; ")
            )
        });
    }
    if raw.has("cluster-rest") {
        checks.push(if retries.is_empty() {
            "No create was answered 409.".to_owned()
        } else {
            format!(
                "Creates answered 409 first (retried): {}.",
                retries.join(", ")
            )
        });
    }
    if !checks.is_empty() {
        r.line(checks.join(" "));
    }
    r.line("");
    r.line("Reproduce: `scripts/bench.sh --only cluster` (3 rounds, three files of 333,333 lines, and the default-delay failover once per side; `--skip-default-delay` leaves that out) or `scripts/bench.sh --only cluster --quick` (1 round, three files of 33,333 lines, no default-delay failover). Worker logs stay in `target/bench/scratch/cluster-*`.");
    r.line("");
    r.summary.insert("cluster".into(), Value::Array(out));
}
