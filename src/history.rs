//! `scan --save`, `zerodock history` and `zerodock diff`: the CLI face of the scan history
//! (`zerodock_store::history`, docs/history.md). The database is `--history FILE`, else
//! `ZERODOCK_HISTORY`, else the per-user one in the OS data directory.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use zerodock_engine::{NewFailure, Report, Severity, Status};
use zerodock_store::history::{self, History, ScanDiff, ScanId, ScanSummary};

/// Where the history is.
#[derive(Debug, clap::Args)]
pub struct Location {
    /// The history database (default: history.sqlite in the OS data directory, e.g.
    /// ~/.local/share/zerodock).
    #[arg(long = "history", env = "ZERODOCK_HISTORY", value_name = "FILE")]
    file: Option<PathBuf>,
}

/// `scan`'s history options.
#[derive(Debug, clap::Args)]
pub struct SaveArgs {
    /// Save the report to the scan history (`zerodock history`, `zerodock diff`).
    #[arg(long)]
    save: bool,
    #[command(flatten)]
    location: Location,
    /// With --save: delete saved scans older than this many days (0 keeps everything).
    #[arg(long, env = "ZERODOCK_HISTORY_DAYS", value_name = "DAYS", default_value_t = history::DEFAULT_RETENTION_DAYS)]
    keep_days: u32,
}

/// `zerodock history`.
#[derive(Debug, clap::Args)]
pub struct HistoryArgs {
    /// Only this engine's scans (its endpoint, as listed).
    #[arg(long)]
    engine: Option<String>,
    /// At most this many scans, newest first.
    #[arg(long, default_value_t = 20, value_name = "N")]
    limit: usize,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    #[command(flatten)]
    location: Location,
}

/// `zerodock diff`.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier scan's id (`zerodock history` lists them). Default: the engine's second-last
    /// scan.
    a: Option<ScanId>,
    /// The later scan's id. Default: the engine's last scan.
    b: Option<ScanId>,
    /// The engine whose last two scans to compare (its endpoint, as `history` lists it). Default:
    /// the one `scan` would use (DOCKER_HOST, then the current context, then the default socket).
    #[arg(long)]
    engine: Option<String>,
    /// Output format.
    #[arg(long, short, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    #[command(flatten)]
    location: Location,
}

/// Text for people, JSON for scripts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TextOrJson {
    /// A table / a list of changes.
    Text,
    /// The same as JSON.
    Json,
}

/// Opens the history, telling the user on standard error when a damaged one was moved aside.
fn open(location: &Location) -> Result<History> {
    let path = match &location.file {
        Some(path) => path.clone(),
        None => History::default_path()?,
    };
    let (history, recovery) = History::open(&path)?;
    if let Some(recovery) = recovery {
        let _ = writeln!(std::io::stderr(), "zerodock: warning: {recovery}");
    }
    Ok(history)
}

/// `scan --save`: saves the report, then applies the retention.
pub fn save(report: &Report, args: &SaveArgs) -> Result<()> {
    if !args.save {
        return Ok(());
    }
    let mut history = open(&args.location)?;
    let id = history.save(report).context("cannot save the scan to the history")?;
    if args.keep_days > 0 {
        let keep = Duration::from_secs(u64::from(args.keep_days) * 86_400);
        history.prune(keep, chrono::Utc::now()).context("cannot apply the history's retention")?;
    }
    let _ = writeln!(std::io::stderr(), "zerodock: saved as scan {id} in {}", history.path().display());
    Ok(())
}

/// `zerodock history`.
pub fn list(args: &HistoryArgs) -> Result<ExitCode> {
    let history = open(&args.location)?;
    let scans = history.list(args.engine.as_deref(), args.limit)?;
    let text = match args.format {
        TextOrJson::Json => serde_json::to_string_pretty(&scans)? + "\n",
        TextOrJson::Text if scans.is_empty() => {
            format!("No saved scans in {}: `zerodock scan --save` saves one.\n", history.path().display())
        }
        TextOrJson::Text => table(&scans),
    };
    write_stdout(&text)
}

fn count(s: &ScanSummary, status: Status) -> usize {
    s.counts.by_status.get(&status).copied().unwrap_or(0)
}

fn table(scans: &[ScanSummary]) -> String {
    let mut rows = vec![[
        "ID".to_owned(),
        "TIME (UTC)".to_owned(),
        "ENGINE".to_owned(),
        "SCORE".to_owned(),
        "GRADE".to_owned(),
        "FAIL".to_owned(),
        "CRIT/HIGH".to_owned(),
        "WARN".to_owned(),
        "UNKNOWN".to_owned(),
        "WAIVED".to_owned(),
    ]];
    for s in scans {
        let sev = |v: Severity| s.counts.failing_by_severity.get(&v).copied().unwrap_or(0);
        let engine = match (&s.engine_name, s.reached_engine) {
            (_, false) => format!("{} (unreachable)", s.engine),
            (Some(name), true) => format!("{} ({name})", s.engine),
            (None, true) => s.engine.clone(),
        };
        rows.push([
            s.id.to_string(),
            s.scanned_at.format("%Y-%m-%d %H:%M").to_string(),
            engine,
            s.score.map_or_else(|| "--".to_owned(), |v| v.to_string()),
            s.grade.to_string(),
            count(s, Status::Fail).to_string(),
            format!("{}/{}", sev(Severity::Critical), sev(Severity::High)),
            count(s, Status::Warn).to_string(),
            count(s, Status::Unknown).to_string(),
            s.counts.waived.to_string(),
        ]);
    }
    let widths: Vec<usize> =
        (0..rows[0].len()).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

/// `zerodock diff`.
pub fn diff(args: &DiffArgs) -> Result<ExitCode> {
    let history = open(&args.location)?;
    let (a, b) = match (args.a, args.b) {
        (Some(a), Some(b)) => (a, b),
        (Some(_), None) => bail!("give both scan ids, or none for the engine's last two scans"),
        (None, _) => {
            let engine = match &args.engine {
                Some(engine) => engine.clone(),
                None => zerodock_engine::CollectOptions::from_env()?.endpoint.host,
            };
            match history.latest_two(&engine)? {
                Some((older, newer)) => (older.id, newer.id),
                None => {
                    let engines = history.engines()?;
                    bail!(
                        "fewer than two saved scans of {engine} reached it{}",
                        if engines.is_empty() {
                            ": `zerodock scan --save` saves one".to_owned()
                        } else {
                            format!("; engines with scans: {} (choose with --engine)", engines.join(", "))
                        }
                    );
                }
            }
        }
    };
    let (before, after) = (history.get(a)?, history.get(b)?);
    let d = history::diff(&before, &after);
    let text = match args.format {
        TextOrJson::Json => {
            let value = serde_json::json!({
                "before": history.summary(a)?,
                "after": history.summary(b)?,
                "diff": d,
            });
            serde_json::to_string_pretty(&value)? + "\n"
        }
        TextOrJson::Text => render_diff(a, b, &history.summary(a)?, &history.summary(b)?, &d),
    };
    write_stdout(&text)
}

fn score(score: Option<u8>) -> String {
    score.map_or_else(|| "--".to_owned(), |s| s.to_string())
}

fn render_diff(a: ScanId, b: ScanId, before: &ScanSummary, after: &ScanSummary, d: &ScanDiff) -> String {
    let when = |s: &ScanSummary| s.scanned_at.format("%Y-%m-%d %H:%M UTC").to_string();
    let mut out = format!("Scan {a} ({}) → scan {b} ({}), {}\n", when(before), when(after), after.engine);
    let delta = d.score.delta.map_or_else(String::new, |v| format!(" ({v:+})"));
    out.push_str(&format!(
        "Score {} {} → {} {}{delta}\n",
        score(d.score.before),
        d.score.grade_before,
        score(d.score.after),
        d.score.grade_after
    ));
    for c in &d.categories {
        let delta = c.score.delta.map_or_else(String::new, |v| format!(" ({v:+})"));
        out.push_str(&format!(
            "  {}: {} → {}{delta}\n",
            c.title,
            score(c.score.before),
            score(c.score.after)
        ));
    }
    for note in &d.notes {
        out.push_str(&format!("Note: {note}\n"));
    }
    let section = |out: &mut String, title: &str, items: &[&NewFailure], extra: &dyn Fn(usize) -> String| {
        out.push_str(&format!("\n{title} ({})\n", items.len()));
        for (i, f) in items.iter().enumerate() {
            out.push_str(&format!(
                "  {:<8} {} {} {}: {}{}\n",
                f.severity.as_str(),
                f.check,
                f.target.kind.as_str(),
                f.target.name,
                f.message,
                extra(i)
            ));
        }
    };
    let none = |_: usize| String::new();
    section(&mut out, "New failures", &d.new_failures.iter().collect::<Vec<_>>(), &none);
    section(&mut out, "Fixed", &d.fixed.iter().collect::<Vec<_>>(), &none);
    let reason = |i: usize| {
        let w = &d.newly_waived[i];
        format!(
            " — waived: {}{}",
            w.reason,
            w.expires.as_ref().map_or_else(String::new, |e| format!(" (until {e})"))
        )
    };
    section(
        &mut out,
        "Newly waived",
        &d.newly_waived.iter().map(|w| &w.finding).collect::<Vec<_>>(),
        &reason,
    );
    out
}

fn write_stdout(text: &str) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
