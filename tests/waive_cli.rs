//! `zerodock waive` / `unwaive` end to end, offline: the file lands at the default path
//! ($XDG_CONFIG_HOME/zerodock/policy.toml), `scan` reads it from there and applies the waiver to a
//! captured engine, a second waive updates instead of duplicating, refusals exit 2 and leave the
//! file alone. The editing rules themselves are tested in the engine (`evaluate::waiver::edit`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh directory under the system temp dir.
fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zd-waive-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The CLI with its config and home inside `dir`, so no real user file is read or written.
fn zerodock(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zerodock"))
        .args(args)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("HOME", dir)
        .env_remove("ZERODOCK_POLICY")
        .env("NO_COLOR", "1")
        .output()
        .expect("zerodock runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn scan_captured(dir: &Path) -> serde_json::Value {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/engine/tests/fixtures/default.json");
    let out = zerodock(dir, &["scan", "--from", fixture.to_str().expect("utf-8"), "--format", "json"]);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out.stderr)))
}

#[test]
fn waive_writes_the_default_file_that_scan_reads_and_unwaive_takes_it_back() {
    let dir = tempdir("default");
    let policy = dir.join("config/zerodock/policy.toml");
    let before = scan_captured(&dir);
    assert_eq!(before["counts"]["waived"], 0);

    let out = zerodock(
        &dir,
        &[
            "waive",
            "docker-socket-mounted",
            "zd-docker-sock",
            "--reason",
            "Accepted in the test",
            "--by",
            "ci",
            "--expires",
            "2999-12-31",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("added waiver CTR003 / zd-docker-sock (until 2999-12-31)"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read_to_string(&policy).expect("written at the default path"),
        "[[waiver]]\ncheck = \"docker-socket-mounted\"\ntarget = \"zd-docker-sock\"\nreason = \"Accepted in the test\"\nby = \"ci\"\nexpires = \"2999-12-31\"\n"
    );

    let after = scan_captured(&dir);
    assert_eq!(after["counts"]["waived"], 1, "{}", after["waivers"]);
    assert_eq!(after["waivers"][0]["matched"], 1);

    // The same check and target again: updated in place, never a second entry.
    let out = zerodock(&dir, &["waive", "CTR003", "zd-docker-sock", "--reason", "Reworded"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("already existed: updated it")
            && said.contains("was: reason \"Accepted in the test\", by ci, until 2999-12-31"),
        "{said}"
    );
    let written = std::fs::read_to_string(&policy).expect("policy");
    assert_eq!(written.matches("[[waiver]]").count(), 1, "{written}");
    assert!(written.contains("reason = \"Reworded\"") && !written.contains("expires"), "{written}");

    let out = zerodock(&dir, &["unwaive", "CTR003", "zd-docker-sock"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("removed waiver CTR003 / zd-docker-sock (\"Reworded\")"));
    assert_eq!(scan_captured(&dir)["counts"]["waived"], 0);
    let out = zerodock(&dir, &["unwaive", "CTR003", "zd-docker-sock"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("the policy has no waivers, so none for CTR003 / zd-docker-sock"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn refusals_exit_2_and_leave_the_file_as_it_was() {
    let dir = tempdir("refusals");
    let file = dir.join("team-policy.toml");
    let original = "# our policy\n[severity]\nCTR019 = \"info\" # external monitoring\n";
    std::fs::write(&file, original).expect("write");
    let path = file.to_str().expect("utf-8");
    for (args, expected) in [
        (vec!["waive", "CTR999", "--reason", "r"], "no check is called `CTR999`"),
        (vec!["waive", "CTR001", "--reason", "r", "--expires", "2000-01-01"], "2000-01-01 is in the past"),
        (vec!["waive", "CTR001", "--reason", "r", "--expires", "31/12/2030"], "expected YYYY-MM-DD"),
        (vec!["waive", "CTR001", "--reason", "   "], "needs a reason"),
        (vec!["waive", "CTR001"], "--reason"),
        (vec!["unwaive", "CTR001"], "no waivers"),
    ] {
        let out = zerodock(&dir, &[args.as_slice(), &["--policy", path]].concat());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).contains(expected), "{args:?}: {}", text(&out.stderr));
        assert_eq!(std::fs::read_to_string(&file).expect("file"), original, "{args:?}");
    }
    // And the happy path keeps the user's lines.
    let out = zerodock(&dir, &["waive", "CTR001", "web", "--reason", "Vendor image", "--policy", path]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(&file).expect("file");
    assert!(written.starts_with(original), "{written}");
    assert!(!dir.join("config").exists(), "--policy given: the default file is not touched");
}
