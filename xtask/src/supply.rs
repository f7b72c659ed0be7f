//! The supply-chain stage of `cargo xtask test`: `cargo deny check bans licenses sources` over
//! `deny.toml`, and the licences of the npm packages bundled into the UI against the same allow
//! list. Advisories are not checked here (no advisory database is reachable from CI: see
//! `deny.toml` and docs/security.md).
//!
//! cargo-deny is installed once per machine like tauri-driver, pinned and `--locked`, as a debug
//! build: its release profile (fat LTO, one codegen unit) took 6 min 53 s to install on the 2-core
//! machine against 2 min 29 s for `--debug`, and the check itself takes 7–15 s instead of 3 s.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::util;

/// The stage's name in `cargo xtask test`'s timings.
pub const STAGE: &str = "supply chain: cargo deny (bans, licenses, sources), npm licences";

/// The stage: cargo-deny installed if missing, its check, the bundled npm packages' licences.
pub fn run() -> Result<()> {
    let cargo_deny = ensure_cargo_deny()?;
    cargo_deny_check(&cargo_deny)?;
    npm_licences()
}

/// The cargo-deny release we use (its config format and lints are version-specific).
pub const CARGO_DENY_VERSION: &str = "0.20.2";

/// `cargo-deny` in `$CARGO_HOME/bin` or on `PATH`.
fn cargo_deny_path() -> Option<PathBuf> {
    let cargo_bin = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
        .map(|d| d.join("bin/cargo-deny").display().to_string());
    let candidates: Vec<&str> = cargo_bin.iter().map(String::as_str).collect();
    util::find_binary("cargo-deny", &candidates)
}

/// cargo-deny from crates.io, unless present (~2.5 min as a debug build on 2 cores).
pub fn ensure_cargo_deny() -> Result<PathBuf> {
    if let Some(found) = cargo_deny_path() {
        eprintln!("    present: {}", found.display());
        return Ok(found);
    }
    util::run_visible(util::cargo().args([
        "install",
        "cargo-deny",
        "--version",
        &format!("={CARGO_DENY_VERSION}"),
        "--locked",
        "--debug",
        "--quiet",
    ]))
    .context("installing cargo-deny from crates.io")?;
    cargo_deny_path().context("cargo-deny installed but not found in $CARGO_HOME/bin")
}

/// `cargo deny check bans licenses sources`, offline, over every workspace member, with `deny.toml`.
pub fn cargo_deny_check(cargo_deny: &Path) -> Result<()> {
    util::run_visible(std::process::Command::new(cargo_deny).current_dir(util::workspace_root()).args([
        "--locked",
        "--offline",
        // The root manifest is also the `zerodock` package: without `--workspace` cargo-deny
        // would judge only that package's graph (468 crates of 694).
        "--workspace",
        "check",
        "bans",
        "licenses",
        "sources",
    ]))
    .context("cargo deny found a licence, crate or source deny.toml does not allow")
}

/// The `[licenses] allow` list of `deny.toml`.
pub fn allowed_licences(root: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(root.join("deny.toml")).context("reading deny.toml")?;
    let conf: toml::Value = toml::from_str(&text).context("parsing deny.toml")?;
    conf.get("licenses")
        .and_then(|l| l.get("allow"))
        .and_then(toml::Value::as_array)
        .context("deny.toml has no [licenses] allow list")?
        .iter()
        .map(|v| v.as_str().map(str::to_owned).context("a non-string licence in deny.toml"))
        .collect()
}

/// Whether an SPDX expression (npm's `license`) is satisfied by `allowed` licences.
pub fn licence_allowed(expression: &str, allowed: &[String]) -> Result<bool> {
    let expr = spdx::Expression::parse_mode(expression, spdx::ParseMode::LAX)
        .map_err(|e| anyhow::anyhow!("`{expression}` is not an SPDX expression: {e}"))?;
    Ok(expr.evaluate(|req| allowed.iter().any(|a| *a == req.to_string())))
}

/// The npm packages bundled into the UI (`ui/dist/.vite/license.json`), each under a licence
/// `deny.toml` allows.
pub fn npm_licences() -> Result<()> {
    let root = util::workspace_root();
    let allowed = allowed_licences(&root)?;
    let bundled = crate::sbom::bundled_npm(&root)?;
    let mut refused = Vec::new();
    for (name, version, licence) in &bundled {
        if !licence_allowed(licence, &allowed)? {
            refused.push(format!("{name}@{version} ({licence})"));
        }
    }
    if !refused.is_empty() {
        bail!(
            "npm packages bundled into the UI under a licence deny.toml does not allow: {}",
            refused.join(", ")
        );
    }
    let list: Vec<String> = bundled.iter().map(|(n, v, l)| format!("{n}@{v} ({l})")).collect();
    eprintln!(
        "    {} npm packages bundled into the UI, licences allowed: {}",
        bundled.len(),
        list.join(", ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn npm_licences_are_judged_by_deny_toml_s_allow_list() {
        let allowed = allowed_licences(&util::workspace_root()).expect("deny.toml");
        for ok in ["MIT", "Apache-2.0 OR MIT", "(MIT OR Apache-2.0) AND Unicode-3.0", "MIT/Apache-2.0"] {
            assert!(licence_allowed(ok, &allowed).expect("parse"), "{ok}");
        }
        for refused in ["GPL-3.0-only", "AGPL-3.0-or-later", "MIT AND GPL-2.0-only", "SSPL-1.0"] {
            assert!(!licence_allowed(refused, &allowed).expect("parse"), "{refused}");
        }
        assert!(licence_allowed("not a licence (", &allowed).is_err());
    }
}
