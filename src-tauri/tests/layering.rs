//! The app's module graph, enforced: `src/lib.rs` lists its modules in dependency order with what
//! each uses, and this test reads the source to check that list is the truth — every
//! `crate::<module>` a module names (in `use` lines or inline paths) is listed for it, nothing
//! listed is unused, and each module uses only modules listed above it, so there is no import
//! cycle; and the dashboard draws no tray and runs no watcher (the tray process does). Test code (`#[cfg(test)] mod tests`,
//! `src/tests.rs`) is exempt.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn src_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn read(file: &str) -> String {
    std::fs::read_to_string(src_dir().join(file)).unwrap_or_else(|e| panic!("read src/{file}: {e}"))
}

/// The backticked words of `text`, in order.
fn backticked(text: &str) -> Vec<&str> {
    text.split('`').skip(1).step_by(2).collect()
}

/// The documented order: `(module, what it uses)` from the `//! - \`name\` …; uses …` items of
/// `lib.rs`, continuation lines included.
fn documented() -> Vec<(String, BTreeSet<String>)> {
    let lib = read("lib.rs");
    let mut items: Vec<String> = Vec::new();
    for line in lib.lines().map_while(|l| l.strip_prefix("//!")) {
        if let Some(item) = line.strip_prefix(" - ") {
            items.push(item.to_owned());
        } else if let (Some(last), Some(more)) = (items.last_mut(), line.strip_prefix("   ")) {
            last.push(' ');
            last.push_str(more.trim());
        }
    }
    items
        .iter()
        .filter_map(|item| {
            let name = *backticked(item).first()?;
            let uses = item.rsplit_once("uses ").map_or("", |(_, u)| u);
            Some((name.to_owned(), backticked(uses).into_iter().map(str::to_owned).collect()))
        })
        .filter(|(name, _)| name != "lib")
        .collect()
}

/// The modules `lib.rs` declares (`pub mod x;`, with or without a `cfg`).
fn declared() -> BTreeSet<String> {
    read("lib.rs")
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod ")?.strip_suffix(';').map(str::to_owned))
        .collect()
}

/// The modules `code` names through `crate::` (grouped `use crate::{a, b}` included).
fn used(code: &str, modules: &BTreeSet<String>) -> BTreeSet<String> {
    let ident = |s: &str| s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect::<String>();
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices("crate::") {
        let rest = &code[i + "crate::".len()..];
        let names: Vec<String> = match rest.strip_prefix('{') {
            Some(group) => {
                group.split('}').next().unwrap_or("").split(',').map(|n| ident(n.trim())).collect()
            }
            None => vec![ident(rest)],
        };
        out.extend(names.into_iter().filter(|n| modules.contains(n)));
    }
    out
}

/// `text` without comments and without its trailing `#[cfg(test)] mod tests { … }`.
fn production_code(text: &str) -> String {
    let cut = text.find("#[cfg(test)]\nmod tests {").unwrap_or(text.len());
    text[..cut].lines().map(|l| l.split_once("//").map_or(l, |(code, _)| code)).collect::<Vec<_>>().join("\n")
}

#[test]
fn modules_use_only_what_lib_rs_documents_above_them() {
    let modules = declared();
    let order = documented();
    let listed: BTreeSet<String> = order.iter().map(|(m, _)| m.clone()).collect();
    assert_eq!(listed, modules, "lib.rs must list every module it declares, and only those");
    let rank: BTreeMap<&str, usize> = order.iter().enumerate().map(|(i, (m, _))| (m.as_str(), i)).collect();
    for (i, (module, documented_uses)) in order.iter().enumerate() {
        let actual = used(&production_code(&read(&format!("{module}.rs"))), &modules);
        assert_eq!(
            &actual, documented_uses,
            "src/{module}.rs uses {actual:?}; lib.rs documents {documented_uses:?}: update one of them"
        );
        for dep in &actual {
            assert!(
                rank[dep.as_str()] < i,
                "src/{module}.rs uses `{dep}`, which lib.rs lists after it: that order allows a cycle"
            );
        }
    }
}

/// The tray is its own process (`crates/tray`): the dashboard uses only its shared types, socket
/// protocol and test hook — never a tray backend, the tray's event loop or the engine's watcher (one
/// watcher per user, in the tray).
#[test]
fn the_dashboard_neither_watches_nor_draws_a_tray() {
    let forbidden =
        ["zerodock_tray::sni", "zerodock_tray::xembed", "zerodock_tray::app", "collect::watch", "tray-icon"];
    for entry in std::fs::read_dir(src_dir()).expect("src/") {
        let name = entry.expect("entry").file_name().into_string().expect("utf-8 name");
        let code = production_code(&read(&name));
        for bad in forbidden {
            assert!(!code.contains(bad), "src/{name} uses {bad}: that belongs to the tray process");
        }
    }
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("Cargo.toml");
    assert!(!manifest.contains("\"tray-icon\""), "the dashboard builds no tray icon");
}
