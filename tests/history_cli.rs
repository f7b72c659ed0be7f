//! `scan --save`, `zerodock history` and `zerodock diff` offline: scans of the captured fixtures
//! saved into a history file the test names (`--history`), then listed and compared, in text and
//! JSON, pinned with insta snapshots (`tests/snapshots/`). Times (the clock's `generated_at`) and
//! the temporary directory are replaced before comparing. Needs no Docker.

mod common;

use std::path::PathBuf;
use std::process::Output;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/engine/tests/fixtures");
/// The endpoint the `default` fixture was captured from: `DOCKER_HOST` names it, so it is the
/// "current engine" `diff` defaults to (nothing connects to it).
const DEFAULT_ENGINE: &str = "unix:///tmp/zerodock-test/default/docker.sock";

struct Workdir {
    path: PathBuf,
}

impl Workdir {
    fn new(tag: &str) -> Workdir {
        let path = common::tempdir(&format!("history-{tag}"));
        for name in ["default", "hardened"] {
            std::os::unix::fs::symlink(format!("{FIXTURES}/{name}.json"), path.join(format!("{name}.json")))
                .expect("link fixture");
        }
        // The privileged container's failure accepted, for a scan with something newly waived.
        std::fs::write(
            path.join("waive.toml"),
            "[[waiver]]\ncheck = \"CTR001\"\ntarget = \"zd-privileged\"\nreason = \"lab machine\"\n",
        )
        .expect("policy");
        Workdir { path }
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("zerodock");
        cmd.args(args)
            .current_dir(&self.path)
            .env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .env("DOCKER_HOST", DEFAULT_ENGINE)
            .env("ZERODOCK_HISTORY", self.path.join("history.sqlite"))
            .env_remove("ZERODOCK_HISTORY_DAYS")
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_CONFIG")
            .env_remove("ZERODOCK_POLICY")
            .env_remove("RUST_LOG")
            // `zerodock waive`'s default policy file is read when it exists: none here.
            .env("XDG_CONFIG_HOME", self.path.join("config"))
            .env("HOME", &self.path);
        cmd.output().expect("zerodock runs")
    }

    /// Runs and requires exit 0.
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    }

    fn transcript(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let mut text = format!("$ zerodock {}\n[exit {}]\n", args.join(" "), out.status.code().unwrap_or(-1));
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            if !bytes.is_empty() {
                text.push_str(&format!("[{name}]\n{}", String::from_utf8_lossy(bytes)));
            }
        }
        normalise(&text.replace(&self.path.display().to_string(), "[TMP]"))
    }

    /// Three saved scans: the weak engine, the weak engine with a waiver, the hardened engine.
    fn three_scans(&self) {
        self.ok(&["scan", "--from", "default.json", "--save", "--format", "json"]);
        self.ok(&["scan", "--from", "default.json", "--policy", "waive.toml", "--save", "--format", "json"]);
        self.ok(&["scan", "--from", "hardened.json", "--save", "--format", "json"]);
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Replaces the clock's times: `2026-12-07 06:35`, `2026-12-07T06:35:01.123Z`, the moved-aside
/// file's `20261207T063501.123Z`.
fn normalise(text: &str) -> String {
    let b = text.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < b.len() {
        let dashed =
            (0..10).all(|k| if k == 4 || k == 7 { b.get(i + k) == Some(&b'-') } else { digit(i + k) });
        let compact = (0..8).all(|k| digit(i + k)) && b.get(i + 8) == Some(&b'T');
        if (dashed || compact) && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let mut j = i + if dashed { 10 } else { 8 };
            while j < b.len() && (b[j].is_ascii_digit() || b":.TZ ".contains(&b[j])) {
                // A space only inside "date time", not before the next word.
                if b[j] == b' ' && !digit(j + 1) {
                    break;
                }
                j += 1;
            }
            out.push_str("[TIME]");
            i = j;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

#[test]
fn saved_scans_are_listed_in_text_and_json() {
    let dir = Workdir::new("list");
    let first = dir.run(&["scan", "--from", "default.json", "--save", "--format", "json"]);
    assert!(String::from_utf8_lossy(&first.stderr).contains("saved as scan 1"));
    dir.ok(&["scan", "--from", "default.json", "--policy", "waive.toml", "--save", "--format", "json"]);
    dir.ok(&["scan", "--from", "hardened.json", "--save", "--format", "json"]);
    insta::assert_snapshot!(
        "history",
        [
            dir.transcript(&["history"]),
            dir.transcript(&["history", "--engine", DEFAULT_ENGINE, "--limit", "1", "--format", "json"]),
        ]
        .join("\n")
    );
    // A scan without --save leaves the history alone.
    dir.ok(&["scan", "--from", "hardened.json", "--format", "json"]);
    let listed: serde_json::Value =
        serde_json::from_slice(&dir.ok(&["history", "--format", "json"]).stdout).expect("JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(3));
}

#[test]
fn diff_defaults_to_the_current_engines_last_two_scans() {
    let dir = Workdir::new("diff");
    dir.three_scans();
    insta::assert_snapshot!(
        "diff",
        [dir.transcript(&["diff"]), dir.transcript(&["diff", "1", "2", "--format", "json"])].join("\n")
    );
}

#[test]
fn diff_across_fixtures_names_what_was_fixed() {
    let dir = Workdir::new("across");
    dir.three_scans();
    let out = dir.ok(&["diff", "1", "3", "--format", "json"]);
    let diff: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let fixed = diff["diff"]["fixed"].as_array().expect("fixed");
    assert!(fixed.iter().any(|f| f["check"] == "CTR001" && f["target"]["name"] == "zd-privileged"));
    assert!(diff["diff"]["score"]["delta"].as_i64().expect("delta") > 0);
    assert!(diff["diff"]["notes"][0].as_str().expect("note").contains("two engines"));
    // The hardened engine has one scan: no default pair.
    let out = dir.run(&["diff", "--engine", "unix:///tmp/zerodock-test/hardened/docker.sock"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fewer than two saved scans"));
}

#[test]
fn a_damaged_history_is_moved_aside_and_the_user_told() {
    let dir = Workdir::new("damaged");
    std::fs::write(
        dir.path.join("history.sqlite"),
        b"this is not a SQLite database, it is a note".repeat(200),
    )
    .expect("garbage");
    insta::assert_snapshot!("damaged", dir.transcript(&["history"]));
    let moved: Vec<_> = std::fs::read_dir(&dir.path)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("history.sqlite.corrupt-"))
        .collect();
    assert_eq!(moved.len(), 1, "kept, not deleted");
    dir.ok(&["scan", "--from", "default.json", "--save", "--format", "json"]);
    assert!(
        String::from_utf8_lossy(&dir.ok(&["history"]).stdout).contains("unix:///tmp/zerodock-test/default")
    );
}

#[test]
fn bad_scan_ids_are_refused() {
    let dir = Workdir::new("bad");
    dir.three_scans();
    insta::assert_snapshot!(
        "bad_ids",
        [dir.transcript(&["diff", "1", "99"]), dir.transcript(&["diff", "1"])].join("\n")
    );
}
