//! End-to-end: the `zerodock` binary against a live dockerd with scenario containers, one per
//! misconfiguration, plus a hardened one. Run by `cargo xtask test`, which provides the engine.
//! What the CLI does without an engine (`scan --from`, `report`, `checks`, `explain`, exit codes,
//! bad input, waivers, an unreachable or refusing socket) is in `tests/cli_offline.rs`.

mod common;

use common::{Scenario, docker_ok, finding, planted_secret, scan_json, zerodock};

fn status<'a>(report: &'a serde_json::Value, code: &str, name: &str) -> &'a str {
    finding(report, code, name)["status"].as_str().expect("status is a string")
}

#[test]
fn scan_flags_each_misconfiguration_and_names_the_container() {
    let sock = common::socket_path();
    let sock_mount = format!("{}:/var/run/docker.sock", sock.display());
    let privileged = Scenario::new("privileged", false, &["--privileged"]);
    let socket = Scenario::new("socket", true, &["-v", &sock_mount]);
    let caps = Scenario::new("caps", true, &["--cap-add", "SYS_ADMIN"]);
    let host_pid = Scenario::new("hostpid", true, &["--pid", "host"]);
    let host_net = Scenario::new("hostnet", true, &["--network", "host"]);
    let seccomp = Scenario::new("seccomp", true, &["--security-opt", "seccomp=unconfined"]);
    let root_mount = Scenario::new("rootmount", true, &["-v", "/:/host"]);
    let secret_env = format!("DB_PASSWORD={}", planted_secret());
    let env = Scenario::new("env", true, &["-e", &secret_env]);
    // Fixed high ports: each daemon hands out ephemeral ports without knowing about the others.
    let ports = Scenario::new("ports", true, &["-p", "28181:80"]);
    let hardened = Scenario::new(
        "hardened",
        true,
        &[
            "--read-only",
            "--user",
            "10001:10001",
            "--cap-drop",
            "ALL",
            "--security-opt",
            "no-new-privileges",
            "--memory",
            "64m",
            "--cpus",
            "0.5",
            "--pids-limit",
            "64",
            "--restart",
            "on-failure:3",
            "--health-cmd",
            "true",
            "-p",
            "127.0.0.1:28182:80",
        ],
    );

    let (report, out) = scan_json(&[]);
    assert!(out.status.success(), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(report["schema_version"], 1);

    // Each scenario fails exactly the check for its misconfiguration, and the finding names it.
    assert_eq!(
        status(&report, "CTR001", &privileged.name),
        "fail",
        "created privileged container is flagged"
    );
    assert_eq!(status(&report, "CTR003", &socket.name), "fail");
    assert_eq!(status(&report, "CTR002", &caps.name), "fail");
    assert_eq!(status(&report, "CTR006", &host_pid.name), "fail");
    assert_eq!(status(&report, "CTR005", &host_net.name), "fail");
    assert_eq!(status(&report, "CTR009", &seccomp.name), "fail");
    assert_eq!(status(&report, "CTR004", &root_mount.name), "fail");
    assert_eq!(status(&report, "SEC001", &env.name), "fail");
    assert_eq!(status(&report, "CTR017", &ports.name), "fail");
    let priv_finding = finding(&report, "CTR001", &privileged.name);
    assert_eq!(priv_finding["target"]["kind"], "container");
    assert!(priv_finding["evidence"][0]["field"].as_str().is_some_and(|f| f.contains("Privileged")));
    assert!(
        priv_finding["remediation"].as_array().is_some_and(|r| !r.is_empty()),
        "a failure carries its fix"
    );

    // The hardened container passes every one of those checks.
    for code in [
        "CTR001", "CTR002", "CTR003", "CTR004", "CTR005", "CTR006", "CTR009", "CTR011", "CTR012", "CTR013",
        "CTR014", "CTR016", "CTR017", "SEC001",
    ] {
        assert_eq!(status(&report, code, &hardened.name), "pass", "{code} on the hardened container");
    }
    // A critical failure keeps the grade at D or below (the cap itself is unit-tested in the engine).
    assert!(
        report["score"].as_u64().is_some_and(|s| s <= 69),
        "critical failures cap the score: {}",
        report["score"]
    );
    assert!(matches!(report["grade"].as_str(), Some("D" | "F")), "grade {}", report["grade"]);

    // Secret values never leave collection; names do.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains(planted_secret()), "the planted secret value leaked into the report");
    assert!(text.contains("DB_PASSWORD"));
}

#[test]
fn collect_then_scan_from_gives_the_same_verdicts() {
    let c = Scenario::new("fromfile", false, &["--privileged"]);
    let dir = common::tempdir("collect");
    let snap = dir.join("snap.json");
    let out = zerodock().args(["collect", "--output"]).arg(&snap).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let live = scan_json(&["--only", "CTR001"]).0;
    let saved = zerodock()
        .args(["scan", "--format", "json", "--only", "CTR001", "--from"])
        .arg(&snap)
        .output()
        .expect("runs");
    let saved: serde_json::Value = serde_json::from_slice(&saved.stdout).expect("json");
    assert_eq!(status(&saved, "CTR001", &c.name), "fail");
    assert_eq!(status(&live, "CTR001", &c.name), status(&saved, "CTR001", &c.name));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn scan_makes_only_read_requests_and_changes_nothing() {
    let c = Scenario::new("readonly", true, &[]);
    let dir = common::tempdir("proxy");
    let proxy = common::proxy::Proxy::start(&dir, &common::socket_path(), None);
    let state = || {
        docker_ok(&[
            "inspect",
            "--format",
            "{{.State.StartedAt}} {{.RestartCount}} {{.State.Status}}",
            &c.name,
        ])
    };
    let before = state();
    // `docker events --since` has one-second resolution: leave the second the container started in.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let start = chrono_now();
    let out = zerodock().args(["scan", "--format", "json", "--host", &proxy.host()]).output().expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let end = chrono_now();

    // The proof: every request the scan sent through the socket was a read.
    let requests = proxy.requests();
    assert!(
        requests.iter().any(|r| r.contains("/containers/") && r.contains("/json")),
        "the scan went through the proxy: {requests:?}"
    );
    let writes: Vec<&String> =
        requests.iter().filter(|r| !r.starts_with("GET ") && !r.starts_with("HEAD ")).collect();
    assert!(writes.is_empty(), "the scan made non-read requests: {writes:?}");

    // And the engine saw nothing happen to the scanned container (other tests run in parallel on
    // the same engine, so the event window is narrowed to this test's own container).
    let filter = format!("container={}", c.name);
    let events = docker_ok(&[
        "events",
        "--since",
        &start.to_string(),
        "--until",
        &(end + 1).to_string(),
        "--filter",
        &filter,
    ]);
    assert_eq!(events, "", "the engine recorded events for the scanned container");
    assert_eq!(before, state(), "the scanned container's state changed");
    let _ = std::fs::remove_dir_all(dir);
}

fn chrono_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock after 1970").as_secs()
}

#[test]
fn permission_denied_socket_is_explained() {
    // Run the binary as `nobody` against the test engine's socket (0660 root:docker or stricter).
    let sock = common::socket_path();
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&sock).expect("socket").permissions());
    if mode & 0o006 != 0 {
        // A world-accessible socket cannot produce the error; use a copy of the rights instead.
        panic!(
            "the test engine's socket {} is world-accessible ({mode:o}): the test harness must keep it 0660",
            sock.display()
        );
    }
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_zerodock"))
        .args(["scan", "--only", "CTR001", "--host"])
        .arg(format!("unix://{}", sock.display()))
        .env("HOME", "/nonexistent")
        .output()
        .expect("setpriv (util-linux) runs");
    assert_eq!(out.status.code(), Some(2), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("permission denied") && stderr.contains("sudo"), "{stderr}");
}

#[test]
fn a_daemon_dying_mid_scan_loses_nothing_already_read() {
    let _c = Scenario::new("dying", true, &[]);
    let dir = common::tempdir("dying");
    // Let the version/info/list calls through, then cut every connection.
    let proxy = common::proxy::Proxy::start(&dir, &common::socket_path(), Some(4));
    let out = zerodock()
        .args(["scan", "--format", "json", "--timeout", "5", "--host", &proxy.host()])
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("a report is printed even so ({e}): {}", String::from_utf8_lossy(&out.stderr))
    });
    let unknown: Vec<&serde_json::Value> =
        report["checks"].as_array().expect("checks").iter().filter(|c| c["status"] == "unknown").collect();
    assert!(!unknown.is_empty(), "what could not be read is unknown, not passed");
    let host = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["category"] == "host" && c["status"] != "unknown")
        .count();
    assert!(host > 0, "host checks are unaffected");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_hung_engine_call_is_bounded_and_named() {
    let _c = Scenario::new("hung", true, &[]);
    let dir = common::tempdir("hung");
    // The daemon answers everything but the container list, which it never answers.
    let proxy = common::proxy::Proxy::stalling(&dir, &common::socket_path(), "/containers/json");
    // To a file: a child blocked on a full stdout pipe would look hung.
    let path = dir.join("report.json");
    let mut child = zerodock()
        .args(["scan", "--format", "json", "--timeout", "2", "--host", &proxy.host(), "--output"])
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("runs");
    // A generous bound that only a hang reaches (the figure is the per-call --timeout).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while child.try_wait().expect("wait").is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the scan hung on a stalled call");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let out = child.wait_with_output().expect("output");
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("a report even so ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    let ctr001 =
        report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "CTR001").expect("CTR001");
    assert_eq!(ctr001["status"], "unknown", "what could not be read is unknown: {ctr001}");
    let text = ctr001.to_string();
    assert!(
        text.contains("containers") && text.contains("2 s"),
        "the message names the slow call and the limit: {text}"
    );
    assert!(
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|c| c["category"] == "daemon" && c["status"] != "unknown"),
        "what answered is judged"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// `--processes` reads each running container's process names (`GET /containers/{id}/top`, CIS
/// 5.7): a process named sshd is flagged by name and every request is still a GET. Without the
/// flag no `top` call is made (dockerd records one event per such call) and CTR024 is unknown.
#[test]
fn processes_are_read_only_when_asked_for() {
    let name = format!("zdt-{}-sshd", std::process::id());
    let _ = common::docker(&["rm", "-f", &name]);
    // A shell script's process is named after the script: a process called sshd, no SSH server.
    let script = "printf '#!/bin/sh\\nsleep 86400\\n' > /tmp/sshd && /bin/busybox chmod +x /tmp/sshd && exec /tmp/sshd";
    docker_ok(&["run", "-d", "--name", &name, common::image(), "sh", "-c", script]);
    struct Removed(String);
    impl Drop for Removed {
        fn drop(&mut self) {
            let _ = common::docker(&["rm", "-f", &self.0]);
        }
    }
    let _removed = Removed(name.clone());
    std::thread::sleep(std::time::Duration::from_millis(500));
    let dir = common::tempdir("processes");
    let proxy = common::proxy::Proxy::start(&dir, &common::socket_path(), None);
    let scan = |extra: &[&str]| {
        let out = zerodock()
            .args(["scan", "--format", "json", "--only", "CTR024", "--host", &proxy.host()])
            .args(extra)
            .output()
            .expect("runs");
        serde_json::from_slice::<serde_json::Value>(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
    };

    let without = scan(&[]);
    let check =
        without["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "CTR024").expect("CTR024");
    assert_eq!(check["status"], "unknown", "{check}");
    assert!(!proxy.requests().iter().any(|r| r.contains("/top")), "no top call without --processes");

    let with = scan(&["--processes"]);
    assert_eq!(status(&with, "CTR024", &name), "fail", "{}", finding(&with, "CTR024", &name));
    let requests = proxy.requests();
    assert!(requests.iter().any(|r| r.contains("/top?ps_args=")), "{requests:?}");
    let writes: Vec<&String> = requests.iter().filter(|r| !r.starts_with("GET ")).collect();
    assert!(writes.is_empty(), "non-read requests: {writes:?}");
    let _ = std::fs::remove_dir_all(dir);
}
