//! Argument parsing and the subcommands.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use zerodock_engine::{CollectOptions, EvalConfig, Policy, Report, Severity, Snapshot};
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
}

#[derive(Debug, clap::Args)]
struct EngineArgs {
    /// Docker endpoint (`unix:///var/run/docker.sock`, `tcp://host:2376`). Default: as the docker CLI
    /// chooses (DOCKER_HOST, then the current context, then the default socket).
    #[arg(long, short = 'H')]
    host: Option<String>,
    /// Seconds each Engine API call may take.
    #[arg(long, default_value_t = 15)]
    timeout: u64,
}

#[derive(Debug, clap::Args)]
struct ScanArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Evaluate a snapshot saved by `zerodock collect` instead of collecting now.
    #[arg(long, value_name = "SNAPSHOT", conflicts_with = "host")]
    from: Option<PathBuf>,
    /// Output format (for `--output`, the file extension decides when this is not given).
    #[arg(long, short, value_enum)]
    format: Option<Format>,
    /// Write the report to FILE instead of standard output (repeatable: one file per format; `-`
    /// is standard output).
    #[arg(long, short, value_name = "FILE")]
    output: Vec<PathBuf>,
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
}

#[derive(Debug, clap::Args)]
struct CollectArgs {
    #[command(flatten)]
    engine: EngineArgs,
    /// Write the snapshot to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
struct ReportArgs {
    /// A report written by `zerodock scan --format json`.
    #[arg(long, value_name = "REPORT")]
    from: PathBuf,
    /// Output format.
    #[arg(long, short, value_enum)]
    format: Option<Format>,
    /// Write to FILE instead of standard output (repeatable).
    #[arg(long, short, value_name = "FILE")]
    output: Vec<PathBuf>,
    /// Colour for the text format.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The coloured checklist.
    Text,
    /// The report model (docs/report-format.md).
    Json,
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
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

fn collect_options(args: &EngineArgs) -> Result<CollectOptions> {
    let mut options = CollectOptions::with_host(args.host.as_deref())?;
    options.timeout = Duration::from_secs(args.timeout.max(1));
    Ok(options)
}

fn collect_snapshot(args: &EngineArgs) -> Result<Snapshot> {
    let options = collect_options(args)?;
    Ok(runtime()?.block_on(zerodock_engine::collect(&options)))
}

fn collect(args: &CollectArgs) -> Result<ExitCode> {
    let snapshot = collect_snapshot(&args.engine)?;
    warn_if_engine_down(&snapshot);
    let write_json = |out: &mut dyn Write| -> Result<()> {
        serde_json::to_writer_pretty(&mut *out, &snapshot)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    match &args.output {
        Some(path) => write_file(path, |out| write_json(out))?,
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

fn scan(args: ScanArgs) -> Result<ExitCode> {
    let policy = match &args.policy {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read policy file {}", path.display()))?;
            Policy::from_toml(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => Policy::default(),
    };
    let snapshot = match &args.from {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read snapshot {}", path.display()))?;
            Snapshot::from_json(&text).with_context(|| format!("in {}", path.display()))?
        }
        None => collect_snapshot(&args.engine)?,
    };
    warn_if_engine_down(&snapshot);
    let config = EvalConfig { now: chrono::Utc::now(), policy, only: args.only.clone() };
    for name in &config.only {
        if zerodock_engine::checks::find(name).is_none() {
            bail!("no check is called `{name}`: `zerodock checks` lists them");
        }
    }
    let report = zerodock_engine::evaluate(&snapshot, &config);
    let view = View { color: args.color, verbose: args.verbose, max_targets: args.max_targets };
    emit(&report, args.format, &args.output, &view)?;
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
    emit(&report, args.format, &args.output, &View { color: args.color, verbose: false, max_targets: 10 })?;
    Ok(ExitCode::SUCCESS)
}

/// How the text checklist is drawn.
struct View {
    color: ColorChoice,
    verbose: bool,
    max_targets: usize,
}

fn emit(report: &Report, format: Option<Format>, outputs: &[PathBuf], view: &View) -> Result<()> {
    if outputs.is_empty() {
        return emit_stdout(report, format.unwrap_or(Format::Text), view);
    }
    for path in outputs {
        let format = match format {
            Some(f) if outputs.len() == 1 => f,
            _ if path.as_os_str() == "-" => Format::Text,
            _ => format_from_extension(path)?,
        };
        if path.as_os_str() == "-" {
            emit_stdout(report, format, view)?;
        } else {
            write_file(path, |out| render(report, format, false, view, out))?;
        }
    }
    Ok(())
}

fn emit_stdout(report: &Report, format: Format, view: &View) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    render(report, format, view.color.enabled(), view, &mut out)?;
    out.flush()?;
    Ok(())
}

fn format_from_extension(path: &Path) -> Result<Format> {
    match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
        Some("json") => Ok(Format::Json),
        Some("txt" | "text" | "log") => Ok(Format::Text),
        _ => bail!(
            "cannot tell the format of {} from its extension: add --format, or use .json / .txt",
            path.display()
        ),
    }
}

/// Streams the report in `format`: the JSON of a 1000-container scan is ~18 MB, so it is never
/// built as one string.
fn render(report: &Report, format: Format, color: bool, view: &View, out: &mut impl Write) -> Result<()> {
    match format {
        Format::Text => out.write_all(
            terminal::render(
                report,
                &terminal::Options { color, verbose: view.verbose, max_targets: view.max_targets },
            )
            .as_bytes(),
        )?,
        Format::Json => json::write(report, out)?,
    }
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

/// Writes through a temporary file in the same directory and renames it, so a failed write (disk
/// full, killed mid-way) never leaves a truncated file where the previous one was.
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> Result<()>,
) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name =
        path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "report".to_owned());
    let tmp = dir.join(format!(".{name}.zerodock-{}.tmp", std::process::id()));
    let written = (|| -> Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        fill(&mut out)?;
        out.into_inner().map_err(std::io::IntoInnerError::into_error)?.sync_all()?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("cannot write {}", path.display()))
}
