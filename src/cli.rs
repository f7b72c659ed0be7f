//! Argument parsing and the subcommands.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use zerodock_engine::{CollectOptions, EvalConfig, Policy, Report, Severity, Snapshot};
use zerodock_report::export::{self, ExportFormat, ExportOptions};
use zerodock_report::{catalogue, json, terminal};

/// Zero Trust posture of a Docker host: a scored checklist with the fix for every failure.
#[derive(Debug, Parser)]
#[command(name = "zerodock", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Scan the Docker engine and this host, print the scored checklist.
    Scan(ScanArgs),
    /// Collect a snapshot (evidence only, no verdicts) to evaluate later with `scan --from`.
    Collect(CollectArgs),
    /// Render a saved JSON report again, in another format.
    Report(ReportArgs),
    /// Keep watching: re-evaluate on every Docker event and on an interval, print one line per
    /// change (or JSON lines), name new high/critical failures. Ctrl-C stops.
    Watch(WatchArgs),
    /// List the check catalogue.
    Checks {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Explain one check: why it matters, what is read, how to fix it.
    Explain {
        /// Check code (`CTR001`) or slug (`privileged-container`).
        check: String,
    },
    /// List the known vulnerabilities of every image in use (or of IMAGE), matched offline
    /// against the local OSV database; reads each image once through the engine (read-only).
    Vulns {
        #[command(flatten)]
        engine: EngineArgs,
        /// One local image (tag, digest or id) instead of every image in use.
        image: Option<String>,
        #[command(flatten)]
        sources: crate::vulns::VulnSources,
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = crate::vulns::TextOrJson::Text)]
        format: crate::vulns::TextOrJson,
    },
    /// Write the software bill of materials of a local image (CycloneDX 1.5 or SPDX 2.3 JSON).
    Sbom {
        #[command(flatten)]
        engine: EngineArgs,
        /// A local image (tag, digest or id).
        image: String,
        /// Document format.
        #[arg(long, short, value_enum, default_value_t = crate::vulns::SbomFormat::Cyclonedx)]
        format: crate::vulns::SbomFormat,
        /// Write to FILE instead of standard output.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        sources: crate::vulns::VulnSources,
    },
    /// List the engines this machine knows: every Docker context and DOCKER_HOST; the current one
    /// is marked. Scan another with `--context NAME` or `--host`.
    Engines {
        /// Output format.
        #[arg(long, short, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Manage the local vulnerability database (OSV exports).
    Vulndb {
        #[command(subcommand)]
        command: crate::vulns::VulndbCommand,
    },
    /// Check a signed report: exit 0 valid (and which key), 1 invalid (tampered content, bad
    /// signature, unknown key), 2 error (malformed envelope, unreadable file).
    Verify(crate::trust::VerifyArgs),
    /// The report-signing key: `key export` prints the public key for an auditor.
    Key {
        #[command(subcommand)]
        command: crate::trust::KeyCommand,
    },
    /// List saved scans (`scan --save`): time, engine, score, grade, counts (docs/history.md).
    History(crate::history::HistoryArgs),
    /// What changed between two saved scans: new failures, fixed, newly waived, score (default:
    /// the current engine's last two).
    Diff(crate::history::DiffArgs),
    /// Accept a risk: add (or update) a waiver with a reason in the policy file (docs/waivers.md).
    Waive(crate::waive::WaiveArgs),
    /// Take an accepted risk back: remove a waiver from the policy file.
    Unwaive(crate::waive::UnwaiveArgs),
}

#[derive(Debug, clap::Args)]
struct EngineArgs {
    /// Docker endpoint (`unix:///var/run/docker.sock`, `tcp://host:2376`). Default: as the docker CLI
    /// chooses (DOCKER_HOST, then the current context, then the default socket).
    #[arg(long, short = 'H')]
    host: Option<String>,
    /// A Docker context by name (`zerodock engines` lists them); wins over DOCKER_HOST, as in
    /// the docker CLI.
    #[arg(long, conflicts_with = "host")]
    context: Option<String>,
    /// Seconds each Engine API call may take.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
    /// Also read each running container's process names (`GET /containers/{id}/top`, for the
    /// sshd check): a read, but the engine records a `top` event for each container, so it is
    /// an explicit step.
    #[arg(long)]
    processes: bool,
}

#[derive(Debug, clap::Args)]
struct WatchArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Seconds between full rescans (host facts included); engine events rescan at once.
    #[arg(long, default_value_t = 300)]
    interval: u64,
    /// `text`: one line per evaluation; `json`: one JSON object per line (for log shippers).
    #[arg(long, short, value_enum, default_value_t = ListFormat::Text)]
    format: ListFormat,
    /// Policy file with waivers and severity overrides (TOML; see docs/waivers.md).
    #[arg(long, env = "ZERODOCK_POLICY")]
    policy: Option<PathBuf>,
    /// Stop after this many evaluations (scripts and tests; default: until interrupted).
    #[arg(long, value_name = "N")]
    count: Option<usize>,
    /// Serve Prometheus metrics at http://ADDR/metrics (docs/metrics.md).
    #[arg(long, value_name = "ADDR", num_args = 0..=1, default_missing_value = crate::metrics::DEFAULT_ADDR)]
    metrics: Option<std::net::SocketAddr>,
    /// Allow --metrics on a non-loopback address (the endpoint has no authentication).
    #[arg(long, requires = "metrics")]
    metrics_allow_remote: bool,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Evaluate a snapshot saved by `zerodock collect` instead of collecting now.
    #[arg(long, value_name = "SNAPSHOT", conflicts_with = "host")]
    from: Option<PathBuf>,
    /// Output format. With one `--output`, this format is written whatever the extension; with
    /// several, each file's extension decides (.json .sarif .sarif.json .html .htm .md .pdf .txt).
    #[arg(long, short, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of standard output (repeatable: one file per format; `-`
    /// is standard output).
    #[arg(long, short, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// A custom Typst template for the PDF (docs/pdf-template.md).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Exit 1 when a failing check has this severity or higher.
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Policy file with waivers and severity overrides (TOML; see docs/waivers.md).
    #[arg(long, env = "ZERODOCK_POLICY")]
    policy: Option<PathBuf>,
    /// Only these checks (codes or slugs, comma-separated).
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also list passing and not-applicable findings.
    #[arg(long, short)]
    verbose: bool,
    /// Targets listed per check in the text checklist (0: all; failures come first).
    #[arg(long, default_value_t = 10, value_name = "N")]
    max_targets: usize,
    /// Colour: auto (when standard output is a terminal and NO_COLOR is unset), always, never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Also read the images in use and match their packages against the local vulnerability
    /// database (an explicit step: each new image is exported once, read-only).
    #[arg(long, conflicts_with = "from")]
    vulns: bool,
    /// Sign the JSON report with the ed25519 key kept in the OS keyring: writes FILE.dsse.json
    /// beside it (docs/signing.md).
    #[arg(long)]
    sign: bool,
    #[command(flatten)]
    vuln_sources: crate::vulns::VulnSources,
    #[command(flatten)]
    history: crate::history::SaveArgs,
}

#[derive(Debug, clap::Args)]
struct CollectArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Also read the images in use and their known vulnerabilities (see `scan --vulns`).
    #[arg(long)]
    vulns: bool,
    #[command(flatten)]
    vuln_sources: crate::vulns::VulnSources,
    /// Write the snapshot to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// A report written by `zerodock scan --format json`.
    #[arg(long, value_name = "REPORT")]
    from: PathBuf,
    /// Output format (with several `--output`, each file's extension decides).
    #[arg(long, short, value_enum)]
    format: Option<Format>,
    /// Write to FILE instead of standard output (repeatable; `-` is standard output).
    #[arg(long, short, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// A custom Typst template for the PDF (docs/pdf-template.md).
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Colour for the text format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Sign the JSON report with the ed25519 key kept in the OS keyring: writes FILE.dsse.json
    /// beside it (docs/signing.md).
    #[arg(long)]
    sign: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The coloured checklist.
    Text,
    /// The report model (docs/report-format.md).
    Json,
    /// SARIF 2.1.0 for code scanning (docs/sarif.md).
    Sarif,
    /// One self-contained HTML page.
    Html,
    /// A Markdown summary for pull-request comments and CI job summaries.
    #[value(alias = "md")]
    Markdown,
    /// A PDF document (binary: to a file, or to a pipe).
    Pdf,
}

impl Format {
    /// The export format, for everything but the terminal checklist.
    fn export(self) -> Option<ExportFormat> {
        match self {
            Format::Text => None,
            Format::Json => Some(ExportFormat::Json),
            Format::Sarif => Some(ExportFormat::Sarif),
            Format::Html => Some(ExportFormat::Html),
            Format::Markdown => Some(ExportFormat::Markdown),
            Format::Pdf => Some(ExportFormat::Pdf),
        }
    }

    fn from_export(format: ExportFormat) -> Format {
        match format {
            ExportFormat::Json => Format::Json,
            ExportFormat::Sarif => Format::Sarif,
            ExportFormat::Html => Format::Html,
            ExportFormat::Markdown => Format::Markdown,
            ExportFormat::Pdf => Format::Pdf,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    /// One line per check.
    Text,
    /// Catalogue metadata as JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// Parses arguments and runs the subcommand.
pub fn run() -> Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Scan(args) => scan(args),
        Command::Collect(args) => collect(&args),
        Command::Report(args) => report(&args),
        Command::Watch(args) => watch(&args),
        Command::Checks { format } => {
            let checks = zerodock_engine::catalogue();
            let text = match format {
                ListFormat::Text => catalogue::list(&checks, ColorChoice::Auto.enabled()),
                ListFormat::Json => catalogue_json(&checks)?,
            };
            write_stdout(&text)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { check } => {
            let Some(found) = zerodock_engine::checks::find(&check) else {
                bail!("no check is called `{check}`: `zerodock checks` lists them");
            };
            write_stdout(&catalogue::explain(found))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Vulns { engine, image, sources, format } => {
            let options = collect_options(&engine)?;
            runtime()?.block_on(crate::vulns::vulns(&options, image.as_deref(), &sources, format))
        }
        Command::Sbom { engine, image, format, output, sources } => {
            let options = collect_options(&engine)?;
            runtime()?.block_on(crate::vulns::sbom(&options, &image, format, output.as_deref(), &sources))
        }
        Command::Vulndb { command } => crate::vulns::vulndb(&command),
        Command::Engines { format } => engines(format),
        Command::Verify(args) => crate::trust::verify(&args),
        Command::Key { command } => crate::trust::key(&command),
        Command::History(args) => crate::history::list(&args),
        Command::Diff(args) => crate::history::diff(&args),
        Command::Waive(args) => crate::waive::waive(&args),
        Command::Unwaive(args) => crate::waive::unwaive(&args),
    }
}

fn engines(format: ListFormat) -> Result<ExitCode> {
    use zerodock_engine::collect::endpoint;
    let known = endpoint::known_engines(&endpoint::Env::current());
    let text = match format {
        ListFormat::Json => serde_json::to_string_pretty(&known)? + "\n",
        ListFormat::Text => known
            .iter()
            .map(|e| {
                let mark = if e.current { "*" } else { " " };
                let problem = e.problem.as_deref().map(|p| format!("  ({p})")).unwrap_or_default();
                format!("{mark} {:<16} {}{problem}\n", e.name, e.host)
            })
            .collect(),
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn collect_options(args: &EngineArgs) -> Result<CollectOptions> {
    let mut options = CollectOptions::with_endpoint(args.host.as_deref(), args.context.as_deref())?;
    options.timeout = Duration::from_secs(args.timeout.max(1));
    options.processes = args.processes;
    Ok(options)
}

/// Collects a snapshot, with its vulnerability part when `vulns` names where the data comes from.
fn collect_snapshot(args: &EngineArgs, vulns: Option<&crate::vulns::VulnSources>) -> Result<Snapshot> {
    let options = collect_options(args)?;
    runtime()?.block_on(async {
        let mut snapshot = zerodock_engine::collect(&options).await;
        if let Some(sources) = vulns {
            crate::vulns::attach(&options, &mut snapshot, sources).await?;
        }
        Ok(snapshot)
    })
}

fn collect(args: &CollectArgs) -> Result<ExitCode> {
    let snapshot = collect_snapshot(&args.engine, args.vulns.then_some(&args.vuln_sources))?;
    warn_if_engine_down(&snapshot);
    let write_json = |out: &mut dyn Write| -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, &snapshot)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    match &args.output {
        Some(path) => {
            let mut failed = None;
            let written = export::write_atomic_with(path, |out| {
                write_json(out).map_err(|e| {
                    let message = format!("{e:#}");
                    failed = Some(e);
                    std::io::Error::other(message)
                })
            });
            if let (Err(_), Some(e)) = (&written, failed) {
                return Err(e.context(format!("cannot write {}", path.display())));
            }
            written?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            write_json(&mut out)?;
            out.flush()?;
        }
    }
    Ok(if snapshot.engine.ok().is_some() { ExitCode::SUCCESS } else { ExitCode::from(2) })
}

fn warn_if_engine_down(snapshot: &Snapshot) {
    if let Err(reason) = snapshot.engine() {
        let _ = writeln!(std::io::stderr(), "zerodock: the Docker engine could not be inspected: {reason}");
        let _ = writeln!(
            std::io::stderr(),
            "zerodock: host checks still ran; engine checks are reported as unknown."
        );
    }
}

fn read_policy(path: Option<&Path>) -> Result<Policy> {
    // The file `zerodock waive` writes when none is named, read when it exists.
    let default = crate::waive::default_path().filter(|p| p.exists());
    match path.or(default.as_deref()) {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read policy file {}", path.display()))?;
            Ok(Policy::from_toml(&text).with_context(|| format!("in {}", path.display()))?)
        }
        None => Ok(Policy::default()),
    }
}

fn watch(args: &WatchArgs) -> Result<ExitCode> {
    use zerodock_engine::collect::watch::{self, WatchConfig, WatchUpdate};
    let mut config = WatchConfig::new(collect_options(&args.engine)?);
    config.policy = Some(read_policy(args.policy.as_deref())?);
    config.interval = Duration::from_secs(args.interval.max(10));
    let json = matches!(args.format, ListFormat::Json);
    let runtime = runtime()?;
    let engine = config.collect.endpoint.host.clone();
    let metrics = args
        .metrics
        .map(|addr| {
            runtime.block_on(crate::metrics::Exporter::bind(addr, args.metrics_allow_remote, &engine))
        })
        .transpose()?;
    runtime.block_on(async {
        let (handle, mut updates) = watch::spawn(config);
        let mut evaluations = 0usize;
        let mut out = std::io::stdout();
        loop {
            let update = tokio::select! {
                update = updates.recv() => update,
                _ = tokio::signal::ctrl_c() => None,
            };
            let Some(update) = update else { break };
            if let Some(metrics) = &metrics {
                metrics.observe(&update);
            }
            let line = match update {
                WatchUpdate::Evaluated { report, trigger, new_failures: new } => {
                    evaluations += 1;
                    let trigger = trigger.to_string();
                    let line = if json {
                        serde_json::json!({
                            "event": "evaluated",
                            "at": report.generated_at,
                            "trigger": trigger,
                            "score": report.score,
                            "grade": report.grade,
                            "posture": report.posture(),
                            "counts": report.counts,
                            "new_failures": new,
                            // What the scan could not read (a slow engine's call, named) and what
                            // changed under it: without these a verdict turned unknown says nothing.
                            "notes": report.notes,
                        })
                        .to_string()
                    } else {
                        let mut line = format!(
                            "{} {:>3}/100 {} {:?} ({trigger})",
                            report.generated_at.format("%H:%M:%S"),
                            report.score.map_or_else(|| "--".to_owned(), |s| s.to_string()),
                            report.grade,
                            report.posture(),
                        );
                        for n in &new {
                            line.push_str(&format!(
                                "\n  NEW {} {} {}: {}",
                                n.severity.as_str().to_uppercase(),
                                n.check,
                                n.target.name,
                                n.message
                            ));
                        }
                        for note in &report.notes {
                            line.push_str(&format!("\n  NOTE {note}"));
                        }
                        // Names and messages come from the engine: hidden characters are shown.
                        zerodock_report::reveal::reveal(&line, false)
                    };
                    Some(line)
                }
                WatchUpdate::EngineDown { reason, retry_in } => Some(if json {
                    serde_json::json!({ "event": "engine_down", "reason": reason, "retry_in_secs": retry_in.as_secs() })
                        .to_string()
                } else {
                    format!("engine unreachable: {reason} (retrying in {} s)", retry_in.as_secs())
                }),
                WatchUpdate::EngineUp => {
                    Some(if json { r#"{"event":"engine_up"}"#.to_owned() } else { "engine reachable again".to_owned() })
                }
                WatchUpdate::ScanStarted { .. } | WatchUpdate::Progress(_) => None,
            };
            if let Some(line) = line
                && writeln!(out, "{line}").and_then(|()| out.flush()).is_err()
            {
                break; // stdout closed (`| head`): nothing left to tell
            }
            if args.count.is_some_and(|n| evaluations >= n) {
                break;
            }
        }
        handle.stop();
    });
    Ok(ExitCode::SUCCESS)
}

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let policy = read_policy(args.policy.as_deref())?;
    let snapshot = match &args.from {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read snapshot {}", path.display()))?;
            Snapshot::from_json(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => collect_snapshot(&args.engine, args.vulns.then_some(&args.vuln_sources))?,
    };
    // The process ends when this command returns: freeing a 10,000-container snapshot and report
    // (millions of small allocations) would only delay the exit, by ~0.2 s at that size.
    let snapshot = std::mem::ManuallyDrop::new(snapshot);
    warn_if_engine_down(&snapshot);
    let config = EvalConfig { now: chrono::Utc::now(), policy, only: args.only.clone() };
    for name in &config.only {
        if zerodock_engine::checks::find(name).is_none() {
            bail!("no check is called `{name}`: `zerodock checks` lists them");
        }
    }
    let report = std::mem::ManuallyDrop::new(zerodock_engine::evaluate(&snapshot, &config));
    let view = View {
        color: args.color,
        verbose: args.verbose,
        max_targets: args.max_targets,
        export: ExportOptions { template: args.template.clone(), ..Default::default() },
    };
    let signing = (args.sign)
        .then(|| {
            let is_json =
                |p: &Path| file_format(p, args.format, args.output.len()).is_ok_and(|f| f == Format::Json);
            crate::trust::Signing::prepare(&args.output, is_json)
        })
        .transpose()?;
    emit_maybe_signed(&report, args.format, &args.output, view, signing.as_ref())?;
    crate::history::save(&report, &args.history)?;
    if !args.output.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "zerodock: score {} grade {} · {} check(s) failing · wrote {}",
            report.score.map_or_else(|| "--".to_owned(), |s| s.to_string()),
            report.grade,
            report.counts.by_status.get(&zerodock_engine::Status::Fail).copied().unwrap_or(0),
            args.output.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }

    if snapshot.engine.ok().is_none() {
        return Ok(ExitCode::from(2));
    }
    if let Some(threshold) = args.fail_on {
        let failing: Vec<String> = report
            .failures_at_or_above(threshold)
            .map(|(c, f)| format!("{} {}", c.id, f.target.name))
            .collect();
        if !failing.is_empty() {
            let shown: Vec<&str> = failing.iter().take(5).map(String::as_str).collect();
            let _ = writeln!(
                std::io::stderr(),
                "zerodock: exit 1: {} failing finding(s) at or above --fail-on {threshold}: {}{}",
                failing.len(),
                shown.join(", "),
                if failing.len() > shown.len() { ", …" } else { "" }
            );
            return Ok(ExitCode::from(1));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn report(args: &ReportArgs) -> Result<ExitCode> {
    let text = std::fs::read_to_string(&args.from)
        .with_context(|| format!("cannot read report {}", args.from.display()))?;
    let report = Report::from_json(&text).with_context(|| format!("in {}", args.from.display()))?;
    let view = View {
        color: args.color,
        verbose: false,
        max_targets: 10,
        export: ExportOptions { template: args.template.clone(), ..Default::default() },
    };
    let signing = (args.sign)
        .then(|| {
            let is_json =
                |p: &Path| file_format(p, args.format, args.output.len()).is_ok_and(|f| f == Format::Json);
            crate::trust::Signing::prepare(&args.output, is_json)
        })
        .transpose()?;
    emit_maybe_signed(&report, args.format, &args.output, view, signing.as_ref())?;
    if !args.output.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "zerodock: wrote {}",
            args.output.iter().map(|p| p.display().to_string()).collect::<Vec<_>>().join(", ")
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes the outputs and, with `--sign`, signs the JSON ones: they are written first, so the
/// PDF and HTML written after them can name the signature (key fingerprint, the JSON's digest).
/// The order is `zerodock_report::signed`'s, shared with the app's export.
fn emit_maybe_signed(
    report: &Report,
    format: Option<Format>,
    outputs: &[PathBuf],
    view: View,
    signing: Option<&crate::trust::Signing>,
) -> Result<()> {
    let Some(signing) = signing else { return emit(report, format, outputs, &view) };
    let (json, others): (Vec<PathBuf>, Vec<PathBuf>) =
        outputs.iter().cloned().partition(|p| signing.files().contains(p));
    // Each part is given the whole list's length: a file's format depends on it (`--format` names
    // the format of a lone output only).
    let mut sealed = view.clone();
    let rest = (!others.is_empty()).then_some(|seal| {
        sealed.export.seal = seal;
        emit_part(report, format, &others, outputs.len(), &sealed)
    });
    let signed =
        signing.inner().emit(report, || emit_part(report, format, &json, outputs.len(), &view), rest)?;
    crate::trust::report_signed(&signed);
    Ok(())
}

/// How the outputs are drawn.
#[derive(Clone)]
struct View {
    color: ColorChoice,
    verbose: bool,
    max_targets: usize,
    export: ExportOptions,
}

/// Where one output goes.
enum Sink<'a> {
    Stdout,
    File(&'a Path),
}

/// Writes every requested output. All formats are decided (and a binary PDF to a terminal is
/// refused) before anything is written; the PDF, HTML and Markdown are rendered before any file is
/// touched, so a broken template leaves no half set of files. Each file is written atomically;
/// JSON and SARIF stream to theirs.
fn emit(report: &Report, format: Option<Format>, outputs: &[PathBuf], view: &View) -> Result<()> {
    emit_part(report, format, outputs, outputs.len(), view)
}

/// [`emit`] for some of the `total` outputs given.
fn emit_part(
    report: &Report,
    format: Option<Format>,
    outputs: &[PathBuf],
    total: usize,
    view: &View,
) -> Result<()> {
    let stdout = [PathBuf::from("-")];
    let outputs = if outputs.is_empty() { &stdout[..] } else { outputs };
    let mut plan: Vec<(Sink<'_>, Format)> = Vec::with_capacity(outputs.len());
    for path in outputs {
        if path.as_os_str() == "-" {
            let format = format.unwrap_or(Format::Text);
            if format == Format::Pdf && std::io::stdout().is_terminal() {
                bail!(
                    "refusing to print a binary PDF on the terminal: add `--output report.pdf`, or redirect standard output to a file or pipe"
                );
            }
            plan.push((Sink::Stdout, format));
        } else {
            plan.push((Sink::File(path), file_format(path, format, total.max(outputs.len()))?));
        }
    }

    let mut rendered: Vec<Option<Vec<u8>>> = Vec::with_capacity(plan.len());
    for (sink, format) in &plan {
        rendered.push(match (sink, format.export()) {
            // JSON and SARIF stream to their files below; a failure there leaves no file either.
            (Sink::File(_), Some(export)) if !matches!(export, ExportFormat::Json | ExportFormat::Sarif) => {
                Some(export::render(export, report, &view.export)?)
            }
            _ => None,
        });
    }

    for ((sink, format), bytes) in plan.iter().zip(rendered) {
        match sink {
            Sink::Stdout => emit_stdout(report, *format, view)?,
            Sink::File(path) => match (bytes, format.export()) {
                (Some(bytes), _) => export::write_atomic(path, &bytes)?,
                (None, Some(export)) => export::export_to(path, export, report, &view.export)?,
                (None, None) => {
                    let text = terminal::render(report, &text_options(false, view));
                    export::write_atomic(path, text.as_bytes())?;
                }
            },
        }
    }
    Ok(())
}

fn text_options(color: bool, view: &View) -> terminal::Options {
    terminal::Options { color, verbose: view.verbose, max_targets: view.max_targets }
}

/// The format of an output file: `--format` when it is the only output, else its extension;
/// `--format` again when the extension says nothing.
fn file_format(path: &Path, format: Option<Format>, outputs: usize) -> Result<Format> {
    if let Some(f) = format
        && outputs == 1
    {
        return Ok(f);
    }
    if let Some(export) = ExportFormat::from_extension(path) {
        return Ok(Format::from_export(export));
    }
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("txt" | "text" | "log") => Ok(Format::Text),
        _ => match format {
            Some(f) => Ok(f),
            None => bail!(
                "cannot tell the format of {} from its extension: add --format, or name it .json, .sarif, .html, .md, .pdf or .txt",
                path.display()
            ),
        },
    }
}

/// Streams the report in `format` to standard output.
fn emit_stdout(report: &Report, format: Format, view: &View) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format.export() {
        None => {
            out.write_all(terminal::render(report, &text_options(view.color.enabled(), view)).as_bytes())?
        }
        // The JSON of a 1000-container scan is ~18 MB: streamed, never built as one string.
        Some(ExportFormat::Json) => json::write(report, &mut out)?,
        Some(export) => export::write(export, report, &view.export, &mut out).map_err(|e| {
            // A closed pipe stays an io::Error so `main` treats it as success.
            match e.io_error() {
                Some(io) if io.kind() == std::io::ErrorKind::BrokenPipe => {
                    anyhow::Error::new(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
                }
                _ => anyhow::Error::new(e),
            }
        })?,
    }
    out.flush()?;
    Ok(())
}

fn catalogue_json(checks: &[&zerodock_engine::Check]) -> Result<String> {
    let list: Vec<serde_json::Value> = checks
        .iter()
        .map(|c| {
            serde_json::json!({
                "id": c.code, "slug": c.slug, "title": c.title, "category": c.category,
                "severity": c.severity, "target": c.target, "summary": c.summary(),
                "references": c.references.iter().map(ToString::to_string).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(serde_json::to_string_pretty(&list)? + "\n")
}

fn write_stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
