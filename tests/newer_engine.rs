//! End-to-end: an engine newer than this machine can run (issue 13). The recording proxy
//! (`Proxy::rewriting`) sits in front of the real test dockerd (20.10, API 1.41) and plays a
//! Docker Engine 29 speaking API 1.55 — newer than the 1.53 our bollard knows: `/version` says so,
//! and every answer gets Engine-29-shaped JSON (fields added since API 1.41, and fields and enum
//! values no released bollard knows). Proven: the scan never crashes; a container whose inspect
//! bollard cannot decode gets an `unknown` finding from every per-container check, named by id,
//! and a note — never a pass, never left out; unknown *fields* are ignored and the rest judged as
//! before; an undecodable `/info` makes the daemon checks `unknown` with the call named.

mod common;

use common::{Scenario, finding, zerodock};
use serde_json::{Value, json};

/// The Engine 29 `/version` (API 1.55; an Engine 29 refuses clients below 1.44).
fn engine_29_version(v: &mut Value) {
    v["Version"] = json!("29.7.2");
    v["ApiVersion"] = json!("1.55");
    v["MinAPIVersion"] = json!("1.44");
    v["GoVersion"] = json!("go1.25.5");
    v["Components"] = json!([
        {"Name": "Engine", "Version": "29.7.2", "Details": {"ApiVersion": "1.55", "MinAPIVersion": "1.44", "Os": "linux", "Arch": "amd64"}},
        {"Name": "containerd", "Version": "v2.2.1", "Details": {"GitCommit": "0000000"}},
        {"Name": "runc", "Version": "1.3.4", "Details": {"GitCommit": "v1.3.4-0-g0000000"}},
        {"Name": "docker-init", "Version": "0.19.0", "Details": {"GitCommit": "de40ad0"}}
    ]);
    // A field no bollard model has.
    v["Features"] = json!({"containerd-snapshotter": true, "nftables": true});
}

/// `/info` with what API 1.44–1.55 added (containerd namespaces, CDI, NRI, firewall backend,
/// discovered devices) and a field from beyond 1.55.
fn engine_29_info(v: &mut Value) {
    v["ServerVersion"] = json!("29.7.2");
    v["Containerd"] = json!({"Address": "/run/containerd/containerd.sock", "Namespaces": {"Containers": "moby", "Plugins": "plugins.moby"}});
    v["CDISpecDirs"] = json!(["/etc/cdi", "/var/run/cdi"]);
    v["NRI"] = json!({"Info": [["plugin-path", "/opt/nri/plugins"]]});
    v["FirewallBackend"] = json!({"Driver": "nftables", "Info": [["ReloadedAt", "2026-12-07T10:00:00Z"]]});
    v["DiscoveredDevices"] = json!([{"Source": "cdi", "ID": "vendor.com/gpu=0"}]);
    v["SecurityPolicyEngine"] = json!({"Name": "landlock", "Enforcing": true});
}

/// Inspect of a container: new fields everywhere, plus (for `odd`) enum values bollard 1.53
/// does not know, which make that one answer undecodable.
fn engine_29_container(v: &mut Value, odd: bool) {
    v["ImageManifestDescriptor"] = json!({"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": format!("sha256:{}", "a".repeat(64)), "size": 1234});
    v["HostConfig"]["ImageVolumeMode"] = json!("ro");
    v["HostConfig"]["SeccompNotify"] = json!({"Listener": "/run/seccomp-agent.sock"});
    v["NetworkSettings"]["Status"] = json!({"Reachable": true});
    if odd {
        v["State"]["Status"] = json!("checkpointed");
        v["HostConfig"]["RestartPolicy"]["Name"] = json!("on-hang");
    }
}

/// The rewrite for one scan: `odd_name` is the container to make undecodable; with
/// `odd_info`, `/info` says cgroup v3 (an enum value bollard does not know).
fn engine_29(odd_name: String, odd_info: bool) -> impl Fn(&str, &mut Value) + Send + Sync + 'static {
    move |path, body| match path {
        "/version" => engine_29_version(body),
        "/info" => {
            engine_29_info(body);
            if odd_info {
                body["CgroupVersion"] = json!("3");
            }
        }
        p if p.starts_with("/containers/") && p.ends_with("/json") && p != "/containers/json" => {
            let odd = body["Name"].as_str() == Some(format!("/{odd_name}").as_str());
            engine_29_container(body, odd);
        }
        "/containers/json" => {
            for c in body.as_array_mut().into_iter().flatten() {
                c["Health"] = json!({"Status": "none", "FailingStreak": 0});
                c["ImageManifestDescriptor"] =
                    json!({"mediaType": "application/vnd.oci.image.manifest.v1+json"});
            }
        }
        p if p.starts_with("/images/") && p.ends_with("/json") && p != "/images/json" => {
            body["Identity"] =
                json!({"Signature": [], "Pull": [{"Repository": "docker.io/library/busybox"}]});
            body["Manifests"] = json!([]);
        }
        "/networks" => {
            for n in body.as_array_mut().into_iter().flatten() {
                n["Status"] = json!({"IPAM": {"Subnets": {}}});
            }
        }
        _ => {}
    }
}

/// Scans through `proxy` and returns the report (the scan must finish with a report, no panic).
fn scan(proxy: &common::proxy::Proxy, dir: &std::path::Path) -> Value {
    let path = dir.join("report.json");
    let out = zerodock()
        .args(["scan", "--format", "json", "--timeout", "10", "--host", &proxy.host(), "--output"])
        .arg(&path)
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "the scan crashed: {stderr}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "exit {:?}: {stderr}", out.status.code());
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_default())
        .unwrap_or_else(|e| panic!("a report ({e}): {stderr}"))
}

fn check<'a>(report: &'a Value, code: &str) -> &'a Value {
    report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == code).expect("check")
}

#[test]
fn an_engine_29_is_scanned_and_what_cannot_be_decoded_is_unknown() {
    let privileged = Scenario::new("e29-priv", false, &["--privileged"]);
    let odd = Scenario::new("e29-odd", false, &["--privileged"]);
    let odd_id = common::docker_ok(&["inspect", "--format", "{{.Id}}", &odd.name]);
    let odd_short = &odd_id.trim()[..12];
    let dir = common::tempdir("engine29");
    let proxy =
        common::proxy::Proxy::rewriting(&dir, &common::socket_path(), engine_29(odd.name.clone(), false));
    let report = scan(&proxy, &dir);

    // Read-only against a newer engine too; the version was negotiated with the Engine 29's answer
    // (bollard sends unversioned paths, which an Engine 29 serves at its own version).
    let requests = proxy.requests();
    assert!(requests.iter().all(|r| r.starts_with("GET ")), "{requests:?}");
    assert!(requests.iter().any(|r| r.starts_with("GET /version")), "{requests:?}");
    // The report knows which engine it saw.
    let text = report.to_string();
    assert_eq!(report["subject"]["engine"]["version"], "29.7.2", "{}", report["subject"]);
    assert_eq!(report["subject"]["engine"]["api_version"], "1.55", "{}", report["subject"]);

    // Unknown fields are ignored: the privileged container is judged as on any engine.
    assert_eq!(finding(&report, "CTR001", &privileged.name)["status"], "fail");
    // The undecodable container: unknown, by id, in every per-container check — never a pass.
    let ctr001 = check(&report, "CTR001");
    let odd_finding = ctr001["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"]["id"].as_str().is_some_and(|id| id.starts_with(odd_short)))
        .unwrap_or_else(|| panic!("the undecodable container is silently absent: {ctr001}"));
    assert_eq!(odd_finding["status"], "unknown", "{odd_finding}");
    assert!(
        odd_finding["message"].as_str().unwrap_or_default().contains("could not be decoded"),
        "{odd_finding}"
    );
    for c in report["checks"].as_array().expect("checks") {
        for f in c["findings"].as_array().into_iter().flatten() {
            if f["target"]["id"].as_str().is_some_and(|id| id.starts_with(odd_short)) {
                assert_eq!(f["status"], "unknown", "{}: {f}", c["id"]);
            }
        }
    }
    assert!(
        !text.contains(&format!("\"{}\"", odd.name)),
        "the odd container's data was not read, so its name is not known"
    );
    // The scan says why: the container, and the value bollard did not know.
    let notes = report["notes"].to_string();
    assert!(
        notes.contains(&format!("container {odd_short}: the engine's answer could not be decoded"))
            && (notes.contains("on-hang") || notes.contains("checkpointed")),
        "the notes name the container and the value: {notes}"
    );
    // /info with new fields still decodes: the daemon checks are judged.
    assert!(
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .any(|c| c["category"] == "daemon" && c["status"] != "unknown"),
        "daemon checks are judged"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_engine_29_info_that_cannot_be_decoded_makes_daemon_checks_unknown_not_passed() {
    let privileged = Scenario::new("e29-info", false, &["--privileged"]);
    let dir = common::tempdir("engine29-info");
    let proxy = common::proxy::Proxy::rewriting(&dir, &common::socket_path(), engine_29(String::new(), true));
    let report = scan(&proxy, &dir);
    // Containers are still read and judged.
    assert_eq!(finding(&report, "CTR001", &privileged.name)["status"], "fail");
    // Every check that needs /info is unknown, saying which call failed; none passes by default.
    let daemon: Vec<&Value> =
        report["checks"].as_array().expect("checks").iter().filter(|c| c["category"] == "daemon").collect();
    let info_unknown: Vec<&&Value> = daemon.iter().filter(|c| c["status"] == "unknown").collect();
    assert!(!info_unknown.is_empty(), "{daemon:#?}");
    let reason = info_unknown
        .iter()
        .flat_map(|c| c["findings"].as_array().into_iter().flatten())
        .filter_map(|f| f["message"].as_str())
        .find(|m| m.contains("`GET /info`"))
        .unwrap_or_else(|| panic!("the unknown names the call that could not be decoded: {info_unknown:#?}"));
    assert!(
        reason.contains("cannot decode") && reason.contains("unknown variant `3`"),
        "and says the engine answered, and what could not be decoded: {reason}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
