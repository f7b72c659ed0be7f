//! End-to-end: every report format written by one `zerodock scan` of a live dockerd (JSON, SARIF,
//! HTML, Markdown, PDF read back with `pdftotext`), no secret value in any of them, and SARIF
//! fingerprints that survive a rescan and a container recreate. Run by `cargo xtask test`.
//! (`zerodock report` re-rendering a saved report and unwritable outputs need no engine:
//! `tests/cli_offline.rs`.)

mod common;

use common::{Scenario, docker, docker_ok, files_in, pdf_text, planted_secret, squeeze, tempdir, zerodock};

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

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn one_scan_writes_every_format_and_none_leaks_the_secret() {
    let privileged = Scenario::new("rpt-priv", false, &["--privileged"]);
    let secret_env = format!("DB_PASSWORD={}", planted_secret());
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
            !bytes.windows(planted_secret().len()).any(|w| w == planted_secret().as_bytes()),
            "the planted secret value leaked into {name}"
        );
    }
    assert!(!pdf.contains(planted_secret()), "nor into the PDF's text");
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
    docker_ok(&["create", "--name", &c.name, "--privileged", "--cap-add", "SYS_ADMIN", common::image()]);
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
