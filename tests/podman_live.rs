//! ZeroDock against Podman's Docker-compatible API and rootless dockerd, for real: a rootful
//! `podman system service`, a rootless one and a rootless dockerd (RootlessKit), the rootless ones
//! as a dedicated user in their own mount namespace, all started and populated by
//! `cargo xtask test` (xtask/src/rootless.rs: containers `zd-root`, `zd-hardened`,
//! `zd-privileged`, and on rootful Podman `zd-hostnet`), which passes their sockets in
//! `ZERODOCK_TEST_PODMAN_HOST`, `ZERODOCK_TEST_PODMAN_ROOTLESS_HOST` and
//! `ZERODOCK_TEST_ROOTLESS_DOCKER_HOST`. There is no skip: without them the test fails and says
//! how to run it.

mod common;

use std::process::Command;

use common::{finding, tempdir};

fn podman_host(var: &str) -> String {
    std::env::var(var).ok().filter(|v| !v.is_empty()).unwrap_or_else(|| {
        panic!(
            "{var} is not set: run the tests with `cargo xtask test` (as root), which starts rootful and rootless \
             Podman API services for them"
        )
    })
}

/// `zerodock` isolated from this machine's Docker client configuration, with `DOCKER_HOST` set
/// or not.
fn zerodock(host: Option<&str>) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zerodock"));
    let config = tempdir("podman-client");
    cmd.env("NO_COLOR", "1").env("DOCKER_CONFIG", &config).env_remove("DOCKER_CONTEXT");
    match host {
        Some(host) => cmd.env("DOCKER_HOST", host),
        None => cmd.env_remove("DOCKER_HOST"),
    };
    cmd
}

fn scan_json(host: &str) -> serde_json::Value {
    let out = zerodock(Some(host)).args(["scan", "--format", "json"]).output().expect("zerodock runs");
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("scan of {host} is not JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr))
    })
}

fn status<'a>(report: &'a serde_json::Value, code: &str, name: &str) -> &'a str {
    finding(report, code, name)["status"].as_str().expect("status")
}

fn engine_finding<'a>(report: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    let check = report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == code).expect("check");
    &check["findings"][0]
}

/// Rootful Podman: identified as Podman (not rootless) in JSON and in the terminal header; its
/// privileged and host-network containers fail as on dockerd; the dockerd-only checks (daemon.json,
/// live-restore, docker group, Docker's files) are not applicable and say why.
#[test]
fn rootful_podman_is_identified_and_judged() {
    let host = podman_host("ZERODOCK_TEST_PODMAN_HOST");
    let report = scan_json(&host);
    let engine = &report["subject"]["engine"];
    assert_eq!(engine["product"], "Podman", "{engine}");
    assert_eq!(engine["rootless"], false, "{engine}");
    assert_eq!(status(&report, "CTR001", "zd-privileged"), "fail");
    assert_eq!(status(&report, "CTR001", "zd-root"), "pass");
    assert_eq!(status(&report, "CTR005", "zd-hostnet"), "fail");
    assert_eq!(status(&report, "CTR012", "zd-hardened"), "pass", "read-only root filesystem");
    // Container root is host root under rootful Podman too; the fix is Podman's.
    let userns = engine_finding(&report, "HST005");
    assert_eq!(userns["status"], "fail", "{userns}");
    assert!(userns["message"].as_str().unwrap().contains("Podman runs as root"), "{userns}");
    for code in ["DMN002", "DMN010", "DMN012", "DMN013", "HST007", "HST004", "HST012"] {
        let f = engine_finding(&report, code);
        assert_eq!(f["status"], "not_applicable", "{code}: {f}");
        assert!(f["message"].as_str().unwrap().contains("Podman"), "{code} says why: {f}");
    }
    // The Docker lifecycle table does not apply to Podman's version number.
    assert_eq!(engine_finding(&report, "VER001")["status"], "not_applicable");

    let out = zerodock(Some(&host)).args(["scan"]).output().expect("zerodock runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let header = text.lines().next().unwrap_or_default();
    assert!(header.contains("Podman 4.") && !header.contains("rootless"), "{header}");
}

/// Rootless Podman: identified as rootless (Podman's `Rootless` field: it does not say
/// `name=rootless` in SecurityOptions), so container root and `--privileged` are the user's power,
/// not host root — warnings that say so, never the rootful failure.
#[test]
fn rootless_podman_is_rootless() {
    let host = podman_host("ZERODOCK_TEST_PODMAN_ROOTLESS_HOST");
    let report = scan_json(&host);
    let engine = &report["subject"]["engine"];
    assert_eq!(
        (engine["product"].as_str(), engine["rootless"].as_bool()),
        (Some("Podman"), Some(true)),
        "{engine}"
    );
    let privileged = finding(&report, "CTR001", "zd-privileged");
    assert_eq!(privileged["status"], "warn", "{privileged}");
    assert!(privileged["message"].as_str().unwrap().contains("rootless Podman"), "{privileged}");
    assert!(
        privileged["evidence"].as_array().unwrap().iter().any(|e| e["field"] == "GET /info Rootless"),
        "the evidence names where rootless mode was read: {privileged}"
    );
    assert_eq!(status(&report, "CTR013", "zd-root"), "warn", "root, mapped to the rootless user");
    assert_eq!(engine_finding(&report, "HST005")["status"], "pass");

    let out = zerodock(Some(&host)).args(["scan"]).output().expect("zerodock runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let header = text.lines().next().unwrap_or_default();
    assert!(header.contains("Podman 4.") && header.contains("rootless"), "{header}");
}

/// Nothing chose an engine: with no rootful dockerd socket at /var/run/docker.sock, the rootless
/// Podman socket under `$XDG_RUNTIME_DIR` is found and the report says so; with one, the default
/// socket wins, as in the `docker` CLI (the documented order).
#[test]
fn the_rootless_podman_socket_is_discovered() {
    let host = podman_host("ZERODOCK_TEST_PODMAN_ROOTLESS_HOST");
    let runtime = podman_host("ZERODOCK_TEST_PODMAN_ROOTLESS_RUNTIME_DIR");
    let home = tempdir("podman-home");
    let out = zerodock(None)
        .arg("collect")
        .env("XDG_RUNTIME_DIR", &runtime)
        .env("HOME", &home)
        .output()
        .expect("zerodock runs");
    let snapshot: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("collect wrote no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let endpoint = &snapshot["endpoint"];
    // Only a socket counts, as in the discovery itself: a directory left at that path (a
    // container that bound a missing socket path makes dockerd create one) is passed over.
    let default_socket = std::fs::metadata("/var/run/docker.sock")
        .is_ok_and(|m| std::os::unix::fs::FileTypeExt::is_socket(&m.file_type()));
    if default_socket {
        assert_eq!(endpoint["source"]["kind"], "default", "{endpoint}");
    } else {
        assert_eq!(endpoint["host"], host.as_str(), "{endpoint}");
        assert_eq!(
            endpoint["source"],
            serde_json::json!({"kind": "discovered", "engine": "rootless Podman"})
        );
    }
}

/// Rootless dockerd: identified as Docker Engine, rootless; its dockerd process is found by its own
/// `XDG_RUNTIME_DIR` and its daemon.json is the one in its user's home (written by the xtask with
/// `log-level: info`), so the daemon checks judge it; a privileged container warns; the rootful
/// daemon's files (/etc/docker, docker.service) are not applicable.
#[test]
fn rootless_dockerd_is_judged_as_rootless() {
    let host = podman_host("ZERODOCK_TEST_ROOTLESS_DOCKER_HOST");
    let report = scan_json(&host);
    let engine = &report["subject"]["engine"];
    assert_eq!(
        (engine["product"].as_str(), engine["rootless"].as_bool()),
        (Some("Docker Engine"), Some(true)),
        "{engine}"
    );
    let privileged = finding(&report, "CTR001", "zd-privileged");
    assert_eq!(privileged["status"], "warn", "{privileged}");
    assert!(privileged["message"].as_str().unwrap().contains("rootless dockerd"), "{privileged}");
    assert_eq!(engine_finding(&report, "HST005")["status"], "pass");
    assert_eq!(engine_finding(&report, "HST012")["status"], "not_applicable");
    let daemon_json = engine_finding(&report, "HST007");
    assert_eq!(daemon_json["status"], "pass", "{daemon_json}");
    assert!(daemon_json.to_string().contains("/home/.config/docker/daemon.json"), "{daemon_json}");
    // The log level is read from that file: judged, not unknown.
    let log_level = engine_finding(&report, "DMN012");
    assert_eq!(log_level["status"], "pass", "{log_level}");
}
