//! The web front ends: `npm ci` when a lockfile changed (not on every run: it costs ~8 s), and the
//! desktop UI's production build, which `src-tauri` embeds at compile time (so it must exist
//! before clippy or any build of the desktop crate).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result};

use crate::util;

/// The desktop UI's directory.
pub fn ui_dir() -> PathBuf {
    util::workspace_root().join("ui")
}

/// The HTML report's browser test package.
pub fn report_browser_dir() -> PathBuf {
    util::workspace_root().join("crates/report/tests/browser")
}

/// `npm …` in `dir`.
pub fn npm(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("npm");
    cmd.current_dir(dir).args(args);
    if args.first() == Some(&"ci") {
        cmd.args(["--no-audit", "--no-fund"]);
    }
    cmd.env("NPM_CONFIG_UPDATE_NOTIFIER", "false");
    cmd
}

/// Installs `dir`'s locked npm packages unless `node_modules` already matches the lockfile.
pub fn ensure_node_modules(dir: &Path) -> Result<()> {
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules/.package-lock.json");
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = matches!((modified(&lock), modified(&installed)), (Some(l), Some(i)) if i >= l);
    if fresh {
        eprintln!("    {}: node_modules up to date", dir.display());
        return Ok(());
    }
    util::run_visible(&mut npm(dir, &["ci"])).with_context(|| format!("npm ci in {}", dir.display()))
}

/// `npm ci` (when needed) and `npm run build` of the desktop UI → `ui/dist`.
pub fn build() -> Result<()> {
    let dir = ui_dir();
    ensure_node_modules(&dir)?;
    util::run_visible(&mut npm(&dir, &["run", "--silent", "build"])).context("building the desktop UI (ui/)")
}
