//! End-to-end: every report format written by one `zerodock scan` of a live dockerd (JSON, SARIF,
//! HTML, Markdown, PDF read back with `pdftotext`), no secret value in any of them, SARIF
//! fingerprints that survive a rescan and a container recreate, `zerodock report` re-rendering a
//! saved report, and an unwritable output directory failing cleanly. Run by `cargo xtask test`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{PLANTED_SECRET, Scenario, docker, docker_ok, tempdir, zerodock};

/// Every (check, target) pair that fails unwaived in a JSON report, with the check's findings in
/// report order (the renderers list targets in that order).
fn failing(report: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| {
            let targets: Vec<String> = c["findings"]
                .as_array()
                .expect("findings")
                .iter()
                .filter(|f| f["status"] == "fail" && f.get("waived").is_none())
                .map(|f| f["target"]["name"].as_str().expect("name").to_owned())
                .collect();
            (!targets.is_empty()).then(|| (c["id"].as_str().expect("id").to_owned(), targets))
        })
        .collect()
}

/// Text with all whitespace (and the zero-width spaces the PDF adds to wrap long names) removed,
/// so a name wrapped across lines by the layout still matches.
fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{ad}').collect()
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils: cargo xtask deps)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn one_scan_writes_every_format_and_none_leaks_the_secret() {
    let privileged = Scenario::new("rpt-priv", false, &["--privileged"]);
    let secret_env = format!("DB_PASSWORD={PLANTED_SECRET}");
    let env = Scenario::new("rpt-env", true, &["-e", &secret_env]);
    let dir = tempdir("reports");
    let out = zerodock()
        .args(["scan", "-o", "r.json", "-o", "r.sarif", "-o", "r.html", "-o", "r.md", "-o", "r.pdf"])
        .current_dir(&dir)
        .output()
        .expect("zerodock runs");
    assert!(out.status.success(), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        files_in(&dir),
        ["r.html", "r.json", "r.md", "r.pdf", "r.sarif"],
        "five files, no temporary left"
    );

    let json_text = std::fs::read_to_string(dir.join("r.json")).expect("json");
    let report: serde_json::Value = serde_json::from_str(&json_text).expect("JSON report");
    let failing = failing(&report);
    let has = |code: &str, name: &str| failing.iter().any(|(c, t)| c == code && t.iter().any(|n| n == name));
    assert!(has("CTR001", &privileged.name) && has("SEC001", &env.name), "the scenario containers fail");

    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.sarif")).expect("sarif"))
            .expect("SARIF JSON");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    let html = std::fs::read_to_string(dir.join("r.html")).expect("html");
    let markdown = std::fs::read_to_string(dir.join("r.md")).expect("md");
    let pdf = squeeze(&pdf_text(&dir.join("r.pdf")));

    for (code, targets) in &failing {
        assert!(results.iter().any(|r| r["ruleId"] == code.as_str()), "SARIF has a result for {code}");
        assert!(html.contains(&format!("id=\"{code}\"")), "HTML has {code}");
        assert!(markdown.contains(&format!("`{code}`")), "Markdown has {code}");
        assert!(pdf.contains(code.as_str()), "PDF has {code}");
        // The Markdown summary names each check's first targets (it is bounded for PR comments);
        // every other format names every failing target.
        assert!(markdown.contains(&format!("`{}`", targets[0])), "Markdown names {code}'s {}", targets[0]);
        for name in targets {
            assert!(
                results.iter().any(|r| r["ruleId"] == code.as_str()
                    && r["locations"][0]["logicalLocations"][0]["name"] == name.as_str()),
                "SARIF result for {code} on {name}"
            );
            assert!(html.contains(&html_escape(name)), "HTML names {name} for {code}");
            assert!(pdf.contains(&squeeze(name)), "PDF names {name} for {code}");
        }
    }

    for name in ["r.json", "r.sarif", "r.html", "r.md", "r.pdf"] {
        let bytes = std::fs::read(dir.join(name)).expect("read");
        assert!(
            !bytes.windows(PLANTED_SECRET.len()).any(|w| w == PLANTED_SECRET.as_bytes()),
            "the planted secret value leaked into {name}"
        );
    }
    assert!(!pdf.contains(PLANTED_SECRET), "nor into the PDF's text");
    assert!(json_text.contains("DB_PASSWORD"), "the variable is named, its value is not");
    let _ = std::fs::remove_dir_all(dir);
}

fn fingerprint_of(sarif: &serde_json::Value, code: &str, name: &str) -> String {
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == code && r["locations"][0]["logicalLocations"][0]["name"] == name)
        .unwrap_or_else(|| panic!("no {code} result for {name}"))["partialFingerprints"]["zerodockFinding/v1"]
        .as_str()
        .expect("fingerprint")
        .to_owned()
}

fn scan_sarif() -> serde_json::Value {
    let out = zerodock().args(["scan", "--format", "sarif"]).output().expect("zerodock runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("SARIF on stdout")
}

#[test]
fn sarif_fingerprints_survive_a_rescan_and_a_recreate() {
    let c = Scenario::new("rpt-fp", false, &["--privileged", "--cap-add", "SYS_ADMIN"]);
    let first = scan_sarif();
    let second = scan_sarif();
    let old_id = docker_ok(&["inspect", "--format", "{{.Id}}", &c.name]);
    let _ = docker(&["rm", "-f", &c.name]);
    docker_ok(&["create", "--name", &c.name, "--privileged", "--cap-add", "SYS_ADMIN", common::IMAGE]);
    let new_id = docker_ok(&["inspect", "--format", "{{.Id}}", &c.name]);
    assert_ne!(old_id, new_id, "the container was really recreated");
    let third = scan_sarif();
    for code in ["CTR001", "CTR002"] {
        let fp = fingerprint_of(&first, code, &c.name);
        assert_eq!(fp, fingerprint_of(&second, code, &c.name), "{code}: same scan twice");
        assert_eq!(fp, fingerprint_of(&third, code, &c.name), "{code}: recreated under the same name");
    }
    assert_ne!(fingerprint_of(&first, "CTR001", &c.name), fingerprint_of(&first, "CTR002", &c.name));
}

#[test]
fn report_renders_a_saved_report_in_any_format() {
    let _c = Scenario::new("rpt-saved", false, &["--privileged"]);
    let dir = tempdir("saved");
    let saved = dir.join("saved.json");
    let out = zerodock().args(["scan", "--format", "json", "-o"]).arg(&saved).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let pdf = dir.join("again.pdf");
    let out = zerodock()
        .args(["report", "--from"])
        .arg(&saved)
        .args(["--format", "pdf", "--output"])
        .arg(&pdf)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read(&pdf).expect("pdf").starts_with(b"%PDF-"));
    assert!(squeeze(&pdf_text(&pdf)).contains("CTR001"));

    // `--format` wins for a single output whatever its extension; `.sarif.json` is SARIF.
    let out = zerodock()
        .args(["report", "--from"])
        .arg(&saved)
        .args(["-o"])
        .arg(dir.join("x.sarif.json"))
        .args(["-o"])
        .arg(dir.join("x.md"))
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let sarif = std::fs::read_to_string(dir.join("x.sarif.json")).expect("sarif");
    assert!(sarif.contains("\"version\": \"2.1.0\""));
    assert!(std::fs::read_to_string(dir.join("x.md")).expect("md").starts_with("## ZeroDock: score"));

    // A PDF to a pipe is fine (`> report.pdf`, `| lp`).
    let out =
        zerodock().args(["report", "--from"]).arg(&saved).args(["--format", "pdf"]).output().expect("runs");
    assert!(out.status.success() && out.stdout.starts_with(b"%PDF-"));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_pdf_is_never_printed_on_a_terminal() {
    let dir = tempdir("tty");
    let saved = dir.join("saved.json");
    let out = zerodock().args(["scan", "--format", "json", "-o"]).arg(&saved).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // `script` gives the command a pseudo-terminal as standard output.
    let command = format!(
        "{} report --from {} --format pdf; echo \"exit=$?\"",
        env!("CARGO_BIN_EXE_zerodock"),
        saved.display()
    );
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .output()
        .expect("script (bsdutils) runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("refusing to print a binary PDF on the terminal"), "{text}");
    assert!(text.contains("exit=2"), "{text}");
    assert!(!text.contains("%PDF"), "{text}");
    let _ = std::fs::remove_dir_all(dir);
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
    let dir = tempdir("readonly");
    let out_dir = dir.join("out");
    std::fs::create_dir_all(&out_dir).expect("mkdir");
    std::fs::write(out_dir.join("r.html"), "previous report").expect("old report");
    let guard = ReadOnlyDir::new(out_dir.clone());
    let out = zerodock()
        .args(["scan", "--only", "CTR001", "-o"])
        .arg(out_dir.join("r.html"))
        .arg("-o")
        .arg(out_dir.join("r.sarif"))
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot write") && stderr.contains("r.html"),
        "the message names the file: {stderr}"
    );
    assert_eq!(files_in(&out_dir), ["r.html"], "nothing new, nothing temporary");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("r.html")).expect("old"),
        "previous report",
        "old file kept whole"
    );
    drop(guard);
    let _ = std::fs::remove_dir_all(dir);
}
