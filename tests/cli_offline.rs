//! The `zerodock` binary without a Docker engine: `scan --from SNAPSHOT` over the fixtures captured
//! from real daemons (`crates/engine/tests/fixtures/{default,hardened}.json`), `report --from
//! REPORT`, `checks`, `explain`, every kind of bad input, and an engine that is not there. What a
//! user sees — exit code, standard output, standard error — is pinned with insta snapshots
//! (`tests/snapshots/`; `cargo xtask bless` rewrites them).
//!
//! Deterministic by construction: each command runs in a fresh directory holding links to the
//! fixtures, so every path it prints is relative; `NO_COLOR`, `TERM=dumb` and no `RUST_LOG`;
//! `DOCKER_HOST` points at a socket that does not exist, so nothing here can reach an engine by
//! accident. What still varies (the temporary directory in an absolute path, the version, a saved
//! report's `generated_at`) is replaced before comparing. Needs no Docker; the PDF checks need
//! poppler-utils, as the report crate's own tests do.

mod common;

use std::path::PathBuf;
use std::process::{Command, Output};

/// Fixture snapshots, captured by `cargo xtask capture-fixtures`.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/engine/tests/fixtures");
/// Where `DOCKER_HOST` points: nowhere.
const NO_ENGINE: &str = "unix:///nonexistent/zerodock-offline.sock";
/// The `generated_at` written into saved reports, so renderings of them are stable.
const SAVED_AT: &str = "2026-11-23T12:00:00Z";

/// A fresh working directory with `default.json` and `hardened.json` linked in; removed on drop.
struct Workdir {
    path: PathBuf,
}

impl Workdir {
    fn new(tag: &str) -> Workdir {
        let path = common::tempdir(tag);
        for name in ["default", "hardened"] {
            std::os::unix::fs::symlink(format!("{FIXTURES}/{name}.json"), path.join(format!("{name}.json")))
                .expect("link fixture");
        }
        Workdir { path }
    }

    /// `zerodock ARGS` here, in the fixed environment.
    fn cmd(&self, args: &[&str]) -> assert_cmd::Command {
        let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("zerodock");
        cmd.args(args)
            .current_dir(&self.path)
            .env("NO_COLOR", "1")
            .env("TERM", "dumb")
            .env("DOCKER_HOST", NO_ENGINE)
            .env_remove("DOCKER_CONTEXT")
            .env_remove("DOCKER_CONFIG")
            .env_remove("ZERODOCK_POLICY")
            .env_remove("RUST_LOG")
            .env_remove("COLUMNS");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("zerodock runs")
    }

    /// What a user sees of `zerodock ARGS`: the command line, the exit code, stdout and stderr
    /// (sections left out when empty), normalised.
    fn transcript(&self, args: &[&str]) -> String {
        let out = self.run(args);
        let mut text = format!("$ zerodock {}\n[exit {}]\n", args.join(" "), exit_code(&out));
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            if !bytes.is_empty() {
                text.push_str(&format!("[{name}]\n{}", String::from_utf8_lossy(bytes)));
                if !bytes.ends_with(b"\n") {
                    text.push_str("\n[no newline at end]\n");
                }
            }
        }
        self.normalise(&text)
    }

    /// Transcripts of several commands, one after another.
    fn transcripts(&self, commands: &[&[&str]]) -> String {
        commands.iter().map(|args| self.transcript(args)).collect::<Vec<_>>().join("\n")
    }

    /// Writes `text` to `name` here and returns the path.
    fn write(&self, name: &str, text: &str) -> PathBuf {
        common::write(&self.path, name, text)
    }

    /// `scan --from FIXTURE --format json -o NAME`, then a fixed `generated_at` (the one value
    /// the clock puts in a report), so anything rendered from it is stable.
    fn saved_report(&self, fixture: &str, name: &str) -> PathBuf {
        let out = self.run(&["scan", "--from", &format!("{fixture}.json"), "--format", "json", "-o", name]);
        assert_eq!(exit_code(&out), "0", "{}", String::from_utf8_lossy(&out.stderr));
        let path = self.path.join(name);
        let mut report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("saved report")).expect("JSON");
        report["generated_at"] = SAVED_AT.into();
        std::fs::write(&path, serde_json::to_string_pretty(&report).expect("JSON")).expect("rewrite report");
        path
    }

    /// The temp dir, the version and atomic writes' random temporary names replaced.
    fn normalise(&self, text: &str) -> String {
        let text = text
            .replace(&self.path.display().to_string(), "[TMP]")
            .replace(&format!(" {}", env!("CARGO_PKG_VERSION")), " [VERSION]");
        // `…/.Ab3xYz.zerodock.tmp`: the name is random by design.
        let marker = ".zerodock.tmp";
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(marker) {
            let head = &rest[..at];
            let start = head.rfind('/').map_or(0, |i| i + 1);
            out.push_str(&head[..start]);
            out.push_str("[RANDOM]");
            out.push_str(marker);
            rest = &rest[at + marker.len()..];
        }
        out.push_str(rest);
        out
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn exit_code(out: &Output) -> String {
    out.status.code().map_or_else(|| format!("signal ({})", out.status), |c| c.to_string())
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)))
}

fn status<'a>(report: &'a serde_json::Value, code: &str, name: &str) -> &'a str {
    common::finding(report, code, name)["status"].as_str().expect("status is a string")
}

// --- scan --from ---------------------------------------------------------------------------------

#[test]
fn scan_from_the_hardened_fixture_prints_the_whole_checklist() {
    let w = Workdir::new("hardened");
    insta::assert_snapshot!(w.transcript(&["scan", "--from", "hardened.json"]));
}

#[test]
fn scan_from_the_default_fixture_names_each_misconfiguration() {
    let w = Workdir::new("default");
    insta::assert_snapshot!(w.transcript(&[
        "scan",
        "--from",
        "default.json",
        "--only",
        "CTR001,CTR003,SEC001"
    ]));

    // The same verdicts as the live tests expect of their own scenario containers.
    let out = w.run(&["scan", "--from", "default.json", "--format", "json"]);
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    let report = json(&out);
    assert_eq!(report["schema_version"], 1);
    for (code, name) in [
        ("CTR001", "zd-privileged"),
        ("CTR002", "zd-caps"),
        ("CTR003", "zd-docker-sock"),
        ("CTR004", "zd-host-root"),
        ("CTR005", "zd-host-net"),
        ("CTR006", "zd-host-pid"),
        ("CTR009", "zd-seccomp-unconfined"),
        ("CTR017", "zd-ports-all"),
        ("SEC001", "zd-env-secret"),
    ] {
        assert_eq!(status(&report, code, name), "fail", "{code} on {name}");
        assert_eq!(status(&report, code, "zd-hardened"), "pass", "{code} on zd-hardened");
    }
    assert!(report["score"].as_u64().is_some_and(|s| s <= 69), "critical failures cap the score");
    assert!(matches!(report["grade"].as_str(), Some("D" | "F")), "grade {}", report["grade"]);
}

#[test]
fn text_output_is_a_scored_checklist_with_fixes() {
    let w = Workdir::new("text");
    let out = w.run(&["scan", "--from", "default.json", "--only", "CTR001"]);
    let text = stdout(&out);
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    assert!(text.contains("Score") && text.contains("Grade"), "{text}");
    assert!(text.contains("CONTAINER RUNTIME"), "{text}");
    assert!(text.contains("zd-privileged") && text.contains("privileged"), "{text}");
    assert!(text.contains("docker run"), "the fix is printed: {text}");
    insta::assert_snapshot!(w.transcript(&["scan", "--from", "default.json", "--only", "CTR001"]));
}

#[test]
fn fail_on_sets_the_exit_code() {
    let w = Workdir::new("failon");
    w.cmd(&["scan", "--from", "default.json", "--only", "CTR001", "--fail-on", "critical"]).assert().code(1);
    // Without --fail-on findings do not fail the run.
    w.cmd(&["scan", "--from", "default.json", "--only", "CTR001"]).assert().code(0);
    // A low check below the threshold.
    w.cmd(&["scan", "--from", "default.json", "--only", "CTR012", "--fail-on", "critical"]).assert().code(0);
    // Warnings (high ones here) never fail the run.
    w.cmd(&["scan", "--from", "hardened.json", "--only", "VER001,VER003", "--fail-on", "high"])
        .assert()
        .code(0);
    w.cmd(&["scan", "--from", "default.json", "--fail-on", "nonsense"]).assert().code(2);
    // What CI shows when the gate closes: the findings that closed it, on stderr.
    insta::assert_snapshot!(w.transcripts(&[
        &["scan", "--from", "default.json", "--format", "json", "-o", "r.json", "--fail-on", "high"],
        &[
            "scan",
            "--from",
            "default.json",
            "--only",
            "CTR012",
            "--format",
            "json",
            "-o",
            "r.json",
            "--fail-on",
            "low"
        ],
    ]));
}

#[test]
fn scan_from_a_snapshot_is_deterministic_but_for_the_time_of_evaluation() {
    let w = Workdir::new("determinism");
    let run = || {
        let mut report = json(&w.run(&["scan", "--from", "default.json", "--format", "json"]));
        assert!(report["generated_at"].is_string());
        report["generated_at"] = serde_json::Value::Null;
        report
    };
    assert_eq!(run(), run());
}

#[test]
fn waivers_accept_a_named_risk_and_unused_ones_are_findings() {
    let w = Workdir::new("waiver");
    w.write(
        "policy.toml",
        "[[waiver]]\ncheck = \"privileged-container\"\ntarget = \"zd-privileged\"\nreason = \"hardware test rig\"\nexpires = \"2999-01-01\"\n\n\
         [[waiver]]\ncheck = \"CTR003\"\ntarget = \"no-such-container\"\nreason = \"stale\"\n",
    );
    let args =
        ["scan", "--from", "default.json", "--only", "CTR001,CTR003,POL001", "--policy", "policy.toml"];
    let out = w.run(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    let report = json(&out);
    let f = common::finding(&report, "CTR001", "zd-privileged");
    assert_eq!(f["status"], "fail", "a waived finding is still reported as what it is");
    assert_eq!(f["waived"]["reason"], "hardware test rig");
    assert_eq!(status(&report, "POL001", "CTR003 / no-such-container"), "fail");
    insta::assert_snapshot!(w.transcript(&[
        "scan",
        "--from",
        "default.json",
        "--only",
        "CTR001,POL001",
        "--policy",
        "policy.toml"
    ]));
}

#[test]
fn no_output_of_the_fixtures_leaks_the_planted_secret() {
    let w = Workdir::new("secret");
    let out = w.run(&[
        "scan",
        "--from",
        "default.json",
        "-o",
        "r.json",
        "-o",
        "r.sarif",
        "-o",
        "r.html",
        "-o",
        "r.md",
        "-o",
        "r.pdf",
        "-o",
        "r.txt",
    ]);
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    let secret = common::planted_secret();
    for name in ["r.json", "r.sarif", "r.html", "r.md", "r.pdf", "r.txt"] {
        let bytes = std::fs::read(w.path.join(name)).expect("written");
        assert!(
            !bytes.windows(secret.len()).any(|b| b == secret.as_bytes()),
            "the planted secret leaked into {name}"
        );
    }
    assert!(!common::pdf_text(&w.path.join("r.pdf")).contains(secret), "nor into the PDF's text");
    let json = std::fs::read_to_string(w.path.join("r.json")).expect("json");
    assert!(json.contains("DB_PASSWORD"), "the variable is named, its value is not");
}

// --- report --from -------------------------------------------------------------------------------

#[test]
fn report_from_a_saved_report_is_what_the_scan_printed() {
    let w = Workdir::new("report");
    w.saved_report("default", "saved.json");
    let scanned = w.run(&["scan", "--from", "default.json"]);
    let rendered = w.run(&["report", "--from", "saved.json"]);
    assert_eq!(exit_code(&rendered), "0", "{}", stderr(&rendered));
    assert_eq!(stdout(&rendered), stdout(&scanned), "the same checklist from the saved report");

    w.saved_report("hardened", "hardened-report.json");
    insta::assert_snapshot!(w.transcript(&[
        "report",
        "--from",
        "hardened-report.json",
        "--format",
        "markdown"
    ]));
}

#[test]
fn report_renders_a_saved_report_in_any_format() {
    let w = Workdir::new("saved");
    let saved = w.saved_report("default", "saved.json");

    let pdf = w.path.join("again.pdf");
    let out = w
        .cmd(&["report", "--from"])
        .arg(&saved)
        .args(["--format", "pdf", "--output"])
        .arg(&pdf)
        .output()
        .expect("runs");
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    assert!(common::squeeze(&common::pdf_text(&pdf)).contains("CTR001"));

    // `--format` wins for a single output whatever its extension; `.sarif.json` is SARIF.
    insta::assert_snapshot!(w.transcript(&[
        "report",
        "--from",
        "saved.json",
        "-o",
        "x.sarif.json",
        "-o",
        "x.md"
    ]));
    let sarif = std::fs::read_to_string(w.path.join("x.sarif.json")).expect("sarif");
    assert!(sarif.contains("\"version\": \"2.1.0\""));
    assert!(std::fs::read_to_string(w.path.join("x.md")).expect("md").starts_with("## ZeroDock: score"));

    // A PDF to a pipe is fine (`> report.pdf`, `| lp`).
    let out = w.run(&["report", "--from", "saved.json", "--format", "pdf"]);
    assert!(out.status.success() && out.stdout.starts_with(b"%PDF-"));
}

#[test]
fn a_pdf_is_never_printed_on_a_terminal() {
    let w = Workdir::new("tty");
    let saved = w.saved_report("default", "saved.json");
    // `script` gives the command a pseudo-terminal as standard output.
    let command = format!(
        "{} report --from {} --format pdf; echo \"exit=$?\"",
        env!("CARGO_BIN_EXE_zerodock"),
        saved.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .output()
        .expect("script (bsdutils) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("refusing to print a binary PDF on the terminal"), "{text}");
    assert!(text.contains("exit=2"), "{text}");
    assert!(!text.contains("%PDF"), "{text}");
}

// --- checks, explain -----------------------------------------------------------------------------

#[test]
fn checks_lists_the_catalogue() {
    let w = Workdir::new("checks");
    insta::assert_snapshot!(w.transcript(&["checks"]));
    let listed = json(&w.run(&["checks", "--format", "json"]));
    let listed = listed.as_array().expect("a JSON array");
    let text = stdout(&w.run(&["checks"]));
    for check in listed {
        let id = check["id"].as_str().expect("id");
        assert!(text.lines().any(|l| l.trim_start().starts_with(id)), "{id} is in the text list");
        for key in ["slug", "title", "category", "severity", "target", "summary"] {
            assert!(check[key].is_string(), "{id}: {key}");
        }
        assert!(check["references"].as_array().is_some_and(|r| !r.is_empty()), "{id} has references");
    }
}

#[test]
fn explain_tells_why_a_check_matters_and_how_to_fix_it() {
    let w = Workdir::new("explain");
    insta::assert_snapshot!(w.transcript(&["explain", "CTR001"]));
    let by_slug = w.run(&["explain", "privileged-container"]);
    assert_eq!(stdout(&by_slug), stdout(&w.run(&["explain", "CTR001"])), "a slug names the same check");
}

// --- bad input -----------------------------------------------------------------------------------

#[test]
fn malformed_inputs_give_clear_errors() {
    let w = Workdir::new("malformed");
    w.write("snap.json", "{\"schema_version\": 1, \"oops\": ");
    w.write("future.json", "{\"schema_version\": 99}");
    w.write("empty.json", "");
    let transcript = w.transcripts(&[
        &["scan", "--from", "snap.json"],
        &["scan", "--from", "future.json"],
        &["report", "--from", "future.json"],
        &["scan", "--from", "empty.json"],
        &["scan", "--from", "missing.json"],
        &["report", "--from", "missing.json"],
    ]);
    assert!(transcript.contains("malformed snapshot"), "{transcript}");
    assert!(transcript.contains("schema_version 99 is not supported"), "{transcript}");
    insta::assert_snapshot!(transcript);
}

#[test]
fn a_report_given_as_a_snapshot_and_vice_versa_names_the_right_command() {
    let w = Workdir::new("swapped");
    w.saved_report("default", "report.json");
    let transcript =
        w.transcripts(&[&["scan", "--from", "report.json"], &["report", "--from", "default.json"]]);
    assert!(transcript.contains("zerodock report --from"), "{transcript}");
    assert!(transcript.contains("zerodock scan --from"), "{transcript}");
    insta::assert_snapshot!(transcript);
}

#[test]
fn bad_policy_files_are_refused_with_the_reason() {
    let w = Workdir::new("policy");
    w.write("unknown-check.toml", "[[waiver]]\ncheck = \"NOPE001\"\nreason = \"x\"\n");
    w.write("no-reason.toml", "[[waiver]]\ncheck = \"CTR001\"\nreason = \"\"\n");
    w.write("not-toml.toml", "this is = = not toml\n");
    let transcript = w.transcripts(&[
        &["scan", "--from", "default.json", "--only", "CTR001", "--policy", "unknown-check.toml"],
        &["scan", "--from", "default.json", "--only", "CTR001", "--policy", "no-reason.toml"],
        &["scan", "--from", "default.json", "--only", "CTR001", "--policy", "not-toml.toml"],
        &["scan", "--from", "default.json", "--only", "CTR001", "--policy", "missing.toml"],
    ]);
    assert!(transcript.contains("no check is called `NOPE001`"), "{transcript}");
    assert!(transcript.contains("has no reason"), "{transcript}");
    insta::assert_snapshot!(transcript);
}

#[test]
fn an_unknown_check_is_refused() {
    let w = Workdir::new("unknown");
    insta::assert_snapshot!(
        w.transcripts(&[&["scan", "--from", "default.json", "--only", "NOPE001"], &["explain", "NOPE001"],])
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let w = Workdir::new("usage");
    let transcript = w.transcripts(&[
        &["scan", "--from", "x.json", "--host", "unix:///x.sock"],
        &["scan", "--from", "default.json", "--fail-on", "nonsense"],
        &["scan", "--from", "default.json", "-o", "r.xyz", "-o", "r.json"],
    ]);
    assert_eq!(transcript.matches("[exit 2]").count(), 3, "{transcript}");
    insta::assert_snapshot!(transcript);
}

#[test]
fn an_unwritable_destination_names_the_path_and_keeps_the_old_file() {
    let w = Workdir::new("destination");
    insta::assert_snapshot!(w.transcript(&[
        "scan",
        "--from",
        "default.json",
        "--only",
        "CTR001",
        "--output",
        "missing-dir/report.json"
    ]));
    let good = w.write("report.json", "previous report");
    let out = w.run(&[
        "scan",
        "--from",
        "default.json",
        "--only",
        "CTR001",
        "--format",
        "json",
        "--output",
        "report.json",
    ]);
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    assert!(
        std::fs::read_to_string(&good).expect("read").starts_with('{'),
        "the report replaced the old file whole"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&w.path)
        .expect("dir")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left behind");
}

/// A directory nobody may write to, root included: mode 0555, and the immutable attribute when
/// running as root (root ignores the mode). Restored on drop so the directory can be removed.
struct ReadOnlyDir {
    path: PathBuf,
    immutable: bool,
}

impl ReadOnlyDir {
    fn new(path: PathBuf) -> Self {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        let probe = path.join(".probe");
        let mut dir = ReadOnlyDir { path, immutable: false };
        if std::fs::write(&probe, "x").is_ok() {
            let _ = std::fs::remove_file(&probe);
            let status =
                Command::new("chattr").arg("+i").arg(&dir.path).status().expect("chattr (e2fsprogs) runs");
            assert!(
                status.success(),
                "chattr +i failed: the test needs a file system with attributes (ext4)"
            );
            dir.immutable = true;
            assert!(std::fs::write(&probe, "x").is_err(), "the directory is still writable");
        }
        dir
    }
}

impl Drop for ReadOnlyDir {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        if self.immutable {
            let _ = Command::new("chattr").arg("-i").arg(&self.path).status();
        }
        let _ = std::fs::set_permissions(&self.path, std::fs::Permissions::from_mode(0o755));
    }
}

#[test]
fn an_unwritable_output_directory_exits_2_and_leaves_nothing_partial() {
    let w = Workdir::new("readonly");
    let out_dir = w.path.join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    std::fs::write(out_dir.join("r.html"), "previous report").expect("old report");
    let guard = ReadOnlyDir::new(out_dir.clone());
    let out = w.run(&[
        "scan",
        "--from",
        "default.json",
        "--only",
        "CTR001",
        "-o",
        "out/r.html",
        "-o",
        "out/r.sarif",
    ]);
    let stderr = stderr(&out);
    assert_eq!(exit_code(&out), "2", "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("r.html"),
        "the message names the file: {stderr}"
    );
    assert_eq!(common::files_in(&out_dir), ["r.html"], "nothing new, nothing temporary");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("r.html")).expect("old"),
        "previous report",
        "old file kept whole"
    );
    drop(guard);
}

// --- no engine -----------------------------------------------------------------------------------

#[test]
fn unreachable_engine_says_what_to_do_and_host_checks_still_run() {
    let w = Workdir::new("unreachable");
    let out = w.run(&["scan", "--format", "json", "--host", "unix:///nonexistent/docker.sock"]);
    assert_eq!(exit_code(&out), "2", "an unreachable engine is an error for CI");
    // Host facts are this machine's, so only the message is pinned.
    insta::assert_snapshot!(w.normalise(&stderr(&out)));
    let report = json(&out);
    assert!(report["subject"]["engine_unavailable"].as_str().is_some());
    let checks = report["checks"].as_array().expect("checks");
    let host_checks: Vec<&serde_json::Value> = checks.iter().filter(|c| c["category"] == "host").collect();
    assert!(
        host_checks.iter().any(|c| c["id"] == "HST002" && c["status"] != "unknown"),
        "host facts that do not need the engine are still judged: {host_checks:?}"
    );
    let ctr = checks.iter().find(|c| c["id"] == "CTR001").expect("CTR001");
    assert_eq!(ctr["status"], "unknown");
}

#[test]
fn refused_connection_is_explained() {
    let w = Workdir::new("refused");
    let path = w.path.join("dead.sock");
    drop(std::os::unix::net::UnixListener::bind(&path).expect("bind")); // a socket nobody listens on
    let host = format!("unix://{}", path.display());
    let out = w.run(&["scan", "--only", "CTR001", "--host", &host]);
    assert_eq!(exit_code(&out), "2");
    let stderr = stderr(&out);
    assert!(stderr.contains("not running") || stderr.contains("nothing answers"), "{stderr}");
    insta::assert_snapshot!(w.normalise(&stderr));
}

/// The engines a client config knows, and `--context` choosing one over DOCKER_HOST.
#[test]
fn engines_lists_every_context_and_context_chooses_one() {
    let dir = common::tempdir("contexts");
    let digest = zerodock_engine::collect::endpoint::context_digest("far");
    let meta = dir.join("contexts/meta").join(digest);
    std::fs::create_dir_all(&meta).expect("meta dir");
    std::fs::write(
        meta.join("meta.json"),
        r#"{"Name":"far","Endpoints":{"docker":{"Host":"tcp://127.0.0.1:1"}}}"#,
    )
    .expect("meta");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_zerodock"))
            .args(args)
            .env("DOCKER_CONFIG", &dir)
            .env("DOCKER_HOST", "unix:///nonexistent/docker.sock")
            .env_remove("DOCKER_CONTEXT")
            .env("NO_COLOR", "1")
            .output()
            .expect("runs")
    };
    let out = run(&["engines"]);
    assert_eq!(exit_code(&out), "0", "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("* DOCKER_HOST") && text.contains("unix:///nonexistent/docker.sock"), "{text}");
    assert!(text.contains("  far") && text.contains("tcp://127.0.0.1:1"), "{text}");
    let listed: serde_json::Value =
        serde_json::from_slice(&run(&["engines", "--format", "json"]).stdout).expect("JSON");
    assert_eq!(listed.as_array().map(Vec::len), Some(3), "DOCKER_HOST, default, far: {listed}");
    // `--context far` scans far's endpoint (unreachable here), not DOCKER_HOST's.
    let out = run(&["scan", "--context", "far", "--format", "json", "--timeout", "1"]);
    assert_eq!(exit_code(&out), "2");
    let report = json(&out);
    assert_eq!(report["subject"]["endpoint"]["host"], "tcp://127.0.0.1:1", "{}", report["subject"]);
    assert_eq!(report["subject"]["endpoint"]["source"]["name"], "far");
    let _ = std::fs::remove_dir_all(dir);
}
