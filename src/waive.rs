//! `zerodock waive` and `zerodock unwaive`: accept a risk (or take it back) in the policy file the
//! scans read, without hand-editing TOML. The edit itself is the engine's
//! (`evaluate::waiver::edit`, shared with the desktop app), and so is reading and writing the file
//! back atomically (`evaluate::waiver::file`); this module finds the file and says what changed.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use zerodock_engine::evaluate::waiver::{self, edit, file};

/// `zerodock waive CHECK [TARGET] --reason TEXT`.
#[derive(Debug, clap::Args)]
pub struct WaiveArgs {
    /// Check code (`CTR003`) or slug (`docker-socket-mounted`).
    check: String,
    /// One container, image or network (name, or id prefix of 12+ hex digits). Default: every
    /// object of the check.
    target: Option<String>,
    /// Why the risk is accepted (required: a waiver without a reason is refused).
    #[arg(long, value_name = "TEXT")]
    reason: String,
    /// Who accepted it, for the people who read the file later.
    #[arg(long, value_name = "WHO")]
    by: Option<String>,
    /// Last day the waiver applies; the day after, POL001 asks for it to be renewed or removed.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    expires: Option<NaiveDate>,
    /// The policy file to edit. Default: $XDG_CONFIG_HOME/zerodock/policy.toml (created if needed).
    #[arg(long, env = "ZERODOCK_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,
}

/// `zerodock unwaive CHECK [TARGET]`.
#[derive(Debug, clap::Args)]
pub struct UnwaiveArgs {
    /// Check code or slug.
    check: String,
    /// The target the waiver names. Default: the waiver for every object of the check (`*`).
    target: Option<String>,
    /// The policy file to edit. Default: $XDG_CONFIG_HOME/zerodock/policy.toml.
    #[arg(long, env = "ZERODOCK_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,
}

fn parse_date(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("`{text}` is not a date: expected YYYY-MM-DD (e.g. 2027-03-31)"))
}

/// The default policy file (docs/waivers.md), whether or not it exists.
pub fn default_path() -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    waiver::default_path(std::env::var_os("XDG_CONFIG_HOME").as_deref(), home.as_deref())
}

/// The file to edit: the one named, else the default.
fn policy_path(named: Option<&Path>) -> Result<PathBuf> {
    match named {
        Some(path) => Ok(path.to_owned()),
        None => default_path()
            .context("no policy file named and no home directory for the default one: pass --policy FILE"),
    }
}

/// The file's text (empty when it does not exist yet) and the path to write back (a symlink's
/// target): the engine's `waiver::file`, which the desktop tray uses too.
fn read(path: &Path) -> Result<(PathBuf, String)> {
    let read = file::read(path)?;
    Ok((read.real, read.text))
}

fn write(path: &Path, text: &str) -> Result<()> {
    Ok(file::write(path, text)?)
}

/// Adds or updates a waiver; prints what it did.
pub fn waive(args: &WaiveArgs) -> Result<ExitCode> {
    let shown = policy_path(args.policy.as_deref())?;
    let (path, text) = read(&shown)?;
    let request = edit::WaiverRequest {
        check: args.check.clone(),
        target: args.target.clone(),
        reason: args.reason.clone(),
        by: args.by.clone(),
        expires: args.expires,
    };
    // The engine judges expiry by the UTC date (EvalConfig::now), so the same day counts here.
    let today = chrono::Utc::now().date_naive();
    let (new_text, outcome) =
        edit::waive(&text, &request, today).with_context(|| format!("policy file {}", shown.display()))?;
    write(&path, &new_text)?;
    let code = zerodock_engine::checks::find(&args.check).map_or(args.check.as_str(), |c| c.code);
    let target = args.target.as_deref().unwrap_or("*");
    let until = args.expires.map_or_else(|| "no expiry".to_owned(), |d| format!("until {d}"));
    let message = match outcome {
        edit::WaiveOutcome::Added => {
            format!("added waiver {code} / {target} ({until}) to {}", shown.display())
        }
        edit::WaiveOutcome::Updated { previous } => format!(
            "a waiver for {code} / {target} already existed: updated it in {} (was: reason \"{}\"{}{})",
            shown.display(),
            previous.reason,
            previous.by.map(|b| format!(", by {b}")).unwrap_or_default(),
            previous.expires.map_or_else(|| ", no expiry".to_owned(), |d| format!(", until {d}")),
        ),
    };
    say(&message)?;
    Ok(ExitCode::SUCCESS)
}

/// Removes a waiver; prints which.
pub fn unwaive(args: &UnwaiveArgs) -> Result<ExitCode> {
    let shown = policy_path(args.policy.as_deref())?;
    let (path, text) = read(&shown)?;
    if text.is_empty() && !path.exists() {
        bail!("there is no policy file at {}, so no waiver to remove", shown.display());
    }
    let (new_text, removed) = edit::unwaive(&text, &args.check, args.target.as_deref())
        .with_context(|| format!("policy file {}", shown.display()))?;
    write(&path, &new_text)?;
    let code = zerodock_engine::checks::find(&args.check).map_or(args.check.as_str(), |c| c.code);
    say(&format!(
        "removed waiver {code} / {} (\"{}\") from {}",
        removed.target,
        removed.reason,
        shown.display()
    ))?;
    Ok(ExitCode::SUCCESS)
}

fn say(message: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "zerodock: {message}")?;
    out.flush()?;
    Ok(())
}
