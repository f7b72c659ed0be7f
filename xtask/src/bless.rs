//! `cargo xtask bless`: the one command that rewrites every generated file, after a change to the
//! code they come from. Each file has a drift test that fails CI when it is stale; bless runs
//! exactly those tests in their writing mode, in one `cargo test --workspace` (the same feature
//! resolution as `cargo xtask test`, so nothing is rebuilt twice), then lists what changed:
//!
//! | files | drift test | written when |
//! |---|---|---|
//! | `docs/checks/*.md` | `zerodock-engine --test catalogue` | `ZERODOCK_BLESS=1` |
//! | `docs/report.schema.json`, `ui/src/lib/bindings/report.ts` | `zerodock-engine --test generated` | `ZERODOCK_BLESS=1` |
//! | `ui/src/lib/bindings/app.ts` | `zerodock-desktop --test bindings` | `ZERODOCK_BLESS=1` |
//! | `docs/example-report.pdf`, `docs/example-report-page1.png` | `zerodock-report --test pdf` | `ZERODOCK_BLESS=1` |
//! | `docs/screenshots/*.png` (the README's) | `ui/tests/browser/ui.test.mjs` (Chromium), after the cargo tests | `ZERODOCK_BLESS=1` |
//! | insta snapshots (`**/snapshots/*.snap`) | the engine's unit tests, `zerodock-report --test markdown/sarif/html/terminal`, `zerodock-vuln --test import`, `zerodock --test cli_offline/history_cli` | `INSTA_UPDATE=always` |
//!
//! Snapshots no test asserts any more are deleted (insta records every snapshot a run asserts in
//! `INSTA_SNAPSHOT_REFERENCES_FILE`), but only after a run in which every test passed: a test that
//! failed early never reached its snapshot. No `cargo insta` needed. The unit test below fails
//! when a test file starts blessing or snapshotting without being listed here.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::util::{self, Phases};

/// The test targets that write generated files: `(package, --test target)`; the engine's
/// library tests (its per-check snapshots) run too.
const TARGETS: &[(&str, &str)] = &[
    ("zerodock-engine", "catalogue"),
    ("zerodock-engine", "generated"),
    ("zerodock-report", "markdown"),
    ("zerodock-report", "pdf"),
    ("zerodock-report", "sarif"),
    ("zerodock-report", "html"),
    ("zerodock-report", "terminal"),
    ("zerodock-vuln", "import"),
    ("zerodock-desktop", "bindings"),
    ("zerodock", "cli_offline"),
    ("zerodock", "history_cli"),
];

/// The generated paths (outside `snapshots/` directories) `git status` is shown for.
const GENERATED: &[&str] = &[
    "docs/checks",
    "docs/report.schema.json",
    "docs/example-report.pdf",
    "docs/example-report-page1.png",
    "ui/src/lib/bindings",
    "docs/screenshots",
];

/// Runs bless.
pub fn run(phases: &mut Phases) -> Result<()> {
    let root = util::workspace_root();
    // `src-tauri` embeds `ui/dist` at compile time; any build of it will do for its bindings.
    if !root.join("ui/dist/index.html").is_file() {
        phases.run("ui: npm ci + build (src-tauri embeds ui/dist)", crate::ui::build)?;
    }
    let references = std::env::temp_dir().join(format!("zerodock-bless-{}.refs", std::process::id()));
    let _ = std::fs::remove_file(&references);
    let mut cmd = util::cargo();
    // `--workspace` with target filters: the build `cargo test --workspace` makes, no other.
    cmd.current_dir(&root).args(["test", "--workspace", "--no-fail-fast", "--lib"]);
    for (_, target) in TARGETS {
        cmd.args(["--test", target]);
    }
    cmd.env("ZERODOCK_BLESS", "1")
        .env("INSTA_UPDATE", "always")
        .env("INSTA_SNAPSHOT_REFERENCES_FILE", &references);
    let tested =
        phases.run("cargo test (ZERODOCK_BLESS=1, INSTA_UPDATE=always)", || util::run_visible(&mut cmd));
    let referenced = std::fs::read_to_string(&references).unwrap_or_default();
    let _ = std::fs::remove_file(&references);
    tested.context("a test failed while blessing: nothing stale was deleted; fix it and bless again")?;

    // The README's screenshots: the browser tests write them to target/shots on every run and copy
    // them to docs/screenshots only here, so a test run leaves the checkout clean.
    let ui = crate::ui::ui_dir();
    let mut browser = crate::ui::npm(&ui, &["run", "test:browser"]);
    browser
        .env("ZERODOCK_BIN", root.join("target/debug/zerodock"))
        .env("ZERODOCK_UI_REGEN", "1")
        .env("ZERODOCK_BLESS", "1");
    phases.run("ui: chromium screenshots for the README (ZERODOCK_BLESS=1)", || {
        crate::ui::ensure_node_modules(&ui)?;
        util::run_visible(&mut browser)
    })?;

    phases.run("delete snapshots no test asserts", || {
        let referenced: BTreeSet<PathBuf> =
            referenced.lines().filter_map(|l| std::fs::canonicalize(l.trim()).ok()).collect();
        if referenced.is_empty() {
            bail!("insta reported no snapshot at all: is INSTA_SNAPSHOT_REFERENCES_FILE still honoured?");
        }
        for file in snapshot_files(&root) {
            let stale = file.extension().is_some_and(|e| e == "new")
                || std::fs::canonicalize(&file).is_ok_and(|f| !referenced.contains(&f));
            if stale {
                std::fs::remove_file(&file).with_context(|| format!("cannot delete {}", file.display()))?;
                eprintln!("    deleted {}", file.strip_prefix(&root).unwrap_or(&file).display());
            }
        }
        Ok(())
    })?;

    let mut status = std::process::Command::new("git");
    status.current_dir(&root).args(["status", "--short", "--"]).args(GENERATED).arg(":(glob)**/snapshots/**");
    // Not `run_stdout`: its trim would eat the first line's status column.
    let changed = util::run(&mut status)
        .map(|o| String::from_utf8_lossy(&o.stdout).trim_end().to_owned())
        .unwrap_or_default();
    if changed.is_empty() {
        eprintln!("bless: every generated file was already current");
    } else {
        eprintln!("bless: review and commit:\n{changed}");
    }
    Ok(())
}

/// Every `*.snap` and `*.snap.new` file in a `snapshots` directory of the workspace (`target/`,
/// `node_modules/` and hidden directories skipped).
fn snapshot_files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                if !(name.starts_with('.') || name == "target" || name == "node_modules") {
                    dirs.push(path);
                }
            } else if dir.file_name().is_some_and(|d| d == "snapshots")
                && (name.ends_with(".snap") || name.ends_with(".snap.new"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rust files under `dir` (recursively).
    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                let name = entry.file_name();
                if name != "target" && name != "node_modules" && !name.to_string_lossy().starts_with('.') {
                    rust_files(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// Whether `file` runs when bless does: an integration test target listed in [`TARGETS`]
    /// (or a module of one), or library code of the engine (its unit tests run with `--lib`).
    fn blessed(root: &Path, file: &Path) -> bool {
        let rel = file.strip_prefix(root).unwrap_or(file).to_string_lossy().replace('\\', "/");
        if rel.starts_with("crates/engine/src/") {
            return true;
        }
        TARGETS.iter().any(|(package, target)| {
            let dir = match *package {
                "zerodock" => "tests",
                "zerodock-desktop" => "src-tauri/tests",
                p => return rel == format!("crates/{}/tests/{target}.rs", p.trim_start_matches("zerodock-")),
            };
            rel == format!("{dir}/{target}.rs")
        })
    }

    #[test]
    fn every_blessing_or_snapshotting_test_is_run_by_bless() {
        let root = util::workspace_root();
        let mut files = Vec::new();
        for dir in ["src", "crates", "src-tauri", "tests"] {
            rust_files(&root.join(dir), &mut files);
        }
        assert!(files.len() > 50, "the workspace's Rust files were found: {}", files.len());
        let bless_var = "ZERODOCK_BLESS";
        let markers =
            ["insta::assert", "assert_snapshot!", "assert_json_snapshot!", "assert_debug_snapshot!"];
        let generating: Vec<&PathBuf> = files
            .iter()
            .filter(|f| {
                let text = std::fs::read_to_string(f).unwrap_or_default();
                // Code that only names the variable in a message (the generators' headers) is fine.
                let writes = text.contains(&format!("var_os(\"{bless_var}\")"))
                    || text.contains(&format!("var(\"{bless_var}\")"));
                writes || markers.iter().any(|m| text.contains(m))
            })
            .collect();
        // The search itself works: the drift tests and snapshot users known today are found.
        assert!(generating.len() >= 6, "{generating:?}");
        let missed: Vec<String> = generating
            .iter()
            .filter(|f| !blessed(&root, f))
            .map(|f| f.strip_prefix(&root).unwrap_or(f).display().to_string())
            .collect();
        assert!(missed.is_empty(), "add these test files to bless::TARGETS: {missed:?}");
    }

    #[test]
    fn every_listed_target_exists() {
        let root = util::workspace_root();
        for (package, target) in TARGETS {
            let found = [
                "tests",
                "crates/engine/tests",
                "crates/report/tests",
                "crates/vuln/tests",
                "src-tauri/tests",
            ]
            .iter()
            .any(|dir| root.join(dir).join(format!("{target}.rs")).is_file());
            assert!(found, "{package} --test {target}");
        }
    }

    #[test]
    fn snapshot_files_are_found() {
        let snaps = snapshot_files(&util::workspace_root());
        assert!(
            snaps
                .iter()
                .any(|p| p.ends_with("tests/snapshots") || p.to_string_lossy().contains("/tests/snapshots/"))
        );
        assert!(snaps.iter().any(|p| p.to_string_lossy().contains("crates/engine/src/checks/")));
    }
}
