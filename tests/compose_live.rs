//! End-to-end with a real Compose: Debian's `docker-compose` 1.29 (Compose v1, which labels
//! `config_files` relative to `working_dir`) creates a project from the scratch image on the test
//! engine — nothing is pulled — and the scan must name the project's absolute Compose file and the
//! line of the offending key in the JSON fix, the SARIF region and the HTML fix text; a project
//! whose file is gone must say the line is unknown rather than guess one.
//!
//! Compose v2 (`docker compose`, which labels absolute paths) is not packaged by Debian 12; its
//! labels are covered by the unit tests of `Container::compose_files`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::{docker_host, ensure_image, finding, image, tempdir, zerodock};

/// `docker-compose -p PROJECT ARGS` in `dir` against the test engine.
fn compose(dir: &Path, project: &str, args: &[&str]) -> Output {
    Command::new("docker-compose")
        .current_dir(dir)
        .env("DOCKER_HOST", docker_host())
        .args(["-p", project])
        .args(args)
        .output()
        .expect("docker-compose runs (Debian's docker-compose: cargo xtask deps)")
}

/// A Compose project that is taken down (containers, network) when dropped.
struct Project {
    dir: std::path::PathBuf,
    name: String,
}

impl Project {
    /// Writes `yaml` as `dir/docker-compose.yml` and creates its containers (`up --no-start`: a
    /// privileged container cannot start on this machine kind, and a created one is judged alike).
    fn up(tag: &str, yaml: &str) -> Project {
        ensure_image();
        let dir = tempdir(tag);
        std::fs::write(dir.join("docker-compose.yml"), yaml.replace("IMAGE", image()))
            .expect("write compose file");
        let name = format!("zdc{}{tag}", std::process::id());
        let out = compose(&dir, &name, &["up", "--no-start"]);
        assert!(out.status.success(), "docker-compose up failed: {}", String::from_utf8_lossy(&out.stderr));
        Project { dir, name }
    }

    /// The container Compose 1.29 names `PROJECT_SERVICE_1`.
    fn container(&self, service: &str) -> String {
        format!("{}_{service}_1", self.name)
    }

    fn file(&self) -> String {
        self.dir.join("docker-compose.yml").display().to_string()
    }
}

impl Drop for Project {
    fn drop(&mut self) {
        // The file may be gone (the unreadable case): `down` by project name needs none.
        let _ = std::fs::write(self.dir.join("docker-compose.yml"), "version: \"2.4\"\nservices: {}\n");
        let _ = compose(&self.dir, &self.name, &["down", "-v", "--remove-orphans"]);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const PROJECT: &str = "\
version: \"2.4\"
services:
  web:
    image: IMAGE
    command: [\"sleep\", \"86400\"]
    privileged: true
  db:
    image: IMAGE
    command: [\"sleep\", \"86400\"]
    pid: host
";

/// The Compose fix of `code` on `container` in a JSON report.
fn compose_fix<'a>(report: &'a serde_json::Value, code: &str, container: &str) -> &'a serde_json::Value {
    let f = finding(report, code, container);
    assert_eq!(f["status"], "fail", "{code} on {container}: {f}");
    f["remediation"]
        .as_array()
        .expect("remediation")
        .iter()
        .find(|s| s["kind"] == "compose")
        .unwrap_or_else(|| panic!("{code} on {container} has no compose fix: {f}"))
}

#[test]
fn compose_v1_projects_are_located_at_their_file_and_the_offending_line() {
    let project = Project::up("a", PROJECT);
    let gone = Project::up("b", PROJECT);
    // The second project's file disappears after `up`: its containers still name it.
    std::fs::remove_file(gone.dir.join("docker-compose.yml")).expect("remove");

    // Compose 1.29 really labels the file relative to working_dir (what this test is about).
    let web = project.container("web");
    let labels = common::docker_ok(&[
        "inspect",
        "--format",
        "{{index .Config.Labels \"com.docker.compose.project.config_files\"}}|{{index .Config.Labels \"com.docker.compose.project.working_dir\"}}",
        &web,
    ]);
    assert_eq!(labels, format!("docker-compose.yml|{}", project.dir.display()));

    let out_dir = tempdir("compose-out");
    let out = zerodock()
        .current_dir(&out_dir)
        .args(["scan", "-o", "r.json", "-o", "r.sarif", "-o", "r.html"])
        .output()
        .expect("zerodock runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "scan failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(out_dir.join(name)).expect("report written");
    let report: serde_json::Value = serde_json::from_str(&read("r.json")).expect("json");
    let file = project.file();

    // `privileged: true` is line 6 of the file; the fix and its apply command name the file absolutely.
    let fix = compose_fix(&report, "CTR001", &web);
    assert_eq!(fix["location"]["path"], file.as_str());
    assert_eq!(fix["location"]["line"], 6);
    assert_eq!(fix["label"], format!("In {file}, line 6: `privileged` of service `web`"));
    let apply = &finding(&report, "CTR001", &web)["remediation"][1]["code"];
    assert_eq!(apply.as_str(), Some(format!("docker compose -f {file} up -d web").as_str()));
    // `pid: host` of db is line 10; a key the service does not write points at the service.
    let db = project.container("db");
    assert_eq!(compose_fix(&report, "CTR006", &db)["location"]["line"], 10);
    let read_only = compose_fix(&report, "CTR012", &db);
    assert_eq!(read_only["location"]["line"], 7);
    assert!(
        read_only["label"].as_str().is_some_and(|l| l.contains("does not set `read_only` yet")),
        "{read_only}"
    );

    // The file that is gone: the line is unknown, and the label says why.
    let lost = compose_fix(&report, "CTR001", &gone.container("web"));
    assert!(lost["location"]["line"].is_null(), "{lost}");
    assert_eq!(lost["location"]["path"], gone.file().as_str());
    assert!(
        lost["label"].as_str().is_some_and(|l| l.contains("line unknown") && l.contains("could not be read")),
        "{lost}"
    );

    // SARIF: the result points at the file and that line, so code scanning annotates it; the lost
    // file's result has no region rather than a guessed one.
    let sarif: serde_json::Value = serde_json::from_str(&read("r.sarif")).expect("sarif");
    let location = |rule: &str, name: &str| {
        sarif["runs"][0]["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["ruleId"] == rule && r["locations"][0]["logicalLocations"][0]["name"] == name)
            .unwrap_or_else(|| panic!("no SARIF result {rule} on {name}"))["locations"][0]["physicalLocation"]
            .clone()
    };
    let web_location = location("CTR001", &web);
    assert_eq!(web_location["artifactLocation"]["uri"], format!("file://{file}"));
    assert_eq!(web_location["region"]["startLine"], 6);
    assert_eq!(location("CTR006", &db)["region"]["startLine"], 10);
    let lost_location = location("CTR001", &gone.container("web"));
    assert_eq!(lost_location["artifactLocation"]["uri"], format!("file://{}", gone.file()));
    assert!(lost_location.get("region").is_none(), "{lost_location}");

    // HTML: the fix text beside the fragment names the file and the line.
    let html = read("r.html");
    assert!(
        html.contains(&format!("In {file}, line 6: <code>privileged</code> of service <code>web</code>")),
        "the HTML fix text does not name the line"
    );
    let _ = std::fs::remove_dir_all(&out_dir);
}
