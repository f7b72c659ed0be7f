//! The containers and networks `cargo xtask bench` puts on its private daemon, created through the
//! Engine API directly, and what their report must say.
//!
//! Creation goes over the daemon's unix socket with a minimal HTTP/1.1 client, several requests at
//! a time: a `docker create` process per container spends more CPU starting the Go client than
//! dockerd spends creating the container, and on 2 cores that decided how long 10 000 took.
//!
//! `--odd` adds what a giant, odd host has besides numbers: environment variable *names* and
//! labels in odd Unicode (right-to-left text and overrides, combining marks, emoji, zero-width
//! characters), Compose labels in non-Latin scripts, 1 MB labels (a value that is redacted, a
//! value that is kept, a key), and 500 user-defined networks with odd names that containers join.
//! Container names stay ASCII: dockerd refuses anything outside `[a-zA-Z0-9][a-zA-Z0-9_.-]`.
//!
//! Every mix is deterministic, so [`verify`] knows each container's expected verdicts and checks
//! them in the report of the whole host (ten thousand containers are not spot-checked).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

/// Every this-many containers one is started (the rest stay `created`): 40 running at 1000.
pub const RUNNING_EVERY: usize = 25;
/// Only containers below this index are started: a giant host's containers beyond are created,
/// never started (400 running shims would need ~6 GB here and measure the machine, not ZeroDock).
pub const RUNNING_BELOW: usize = 1000;
/// User-defined networks of `--odd`.
pub const ODD_NETWORKS: usize = 500;
/// Every this-many containers of `--odd` one carries a 1 MB label (index 999, 1999, …).
pub const HUGE_LABEL_EVERY: usize = 1000;
/// The size of those labels, in bytes of UTF-8.
pub const HUGE_LABEL_BYTES: usize = 1 << 20;
/// Every this-many containers of `--odd` one joins a user-defined network.
const NETWORK_EVERY: usize = 20;

/// Environment variable names of `--odd` and whether they name a credential by ZeroDock's
/// documented rule (whole ASCII words, split at anything else): a disguise made of invisible or
/// combining characters does not hide `PASSWORD`; a name without an ASCII credential word is not
/// flagged, whatever its script.
pub const ODD_ENV: [(&str, bool); 9] = [
    ("DB_PASS\u{200B}WORD", true),    // a zero-width space inside the word
    ("\u{202E}API_TOKEN", true),      // a right-to-left override first
    ("SECRET\u{0301}", true),         // a combining acute accent after the word
    ("\u{1F511}_PASSWORD", true),     // an emoji key
    ("\u{05E9}\u{05DD}_USER", false), // Hebrew (right to left) and an ordinary word
    ("LOG\u{200D}LEVEL", false),      // a zero-width joiner
    ("MAX_\u{1F433}_COUNT", false),   // a whale between two ordinary words
    ("NA\u{0308}IVE_MODE", false),    // a combining diaeresis
    ("\u{0627}\u{0644}\u{0645}\u{0641}\u{062A}\u{0627}\u{062D}", false), // Arabic "the key"
];

/// Compose projects of `--odd` (kept verbatim by ZeroDock: its fixes name them).
const ODD_PROJECTS: [&str; 5] = [
    "\u{30D7}\u{30ED}\u{30B8}\u{30A7}\u{30AF}\u{30C8}", // katakana "project"
    "\u{05E4}\u{05E8}\u{05D5}\u{05D9}\u{05E7}\u{05D8}", // Hebrew "project"
    "cafe\u{0301}-stack",                               // a combining accent
    "shop\u{200B}front",                                // a zero-width space
    "\u{1F433}-fleet",                                  // an emoji
];

/// Odd text for label keys and values and network names.
const ODD_TEXT: [&str; 6] = [
    "\u{202E}txet-lrt",
    "\u{05E9}\u{05DC}\u{05D5}\u{05DD}",
    "e\u{0301}\u{0302}\u{0303}",
    "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
    "zero\u{200B}width\u{FEFF}",
    "\u{0645}\u{0631}\u{062D}\u{0628}\u{0627}",
];

/// The name of container `i`.
pub fn name(i: usize) -> String {
    format!("bench-{i:04}")
}

/// The name of `--odd` network `n`: ASCII first (dockerd's names are free text, but a readable
/// prefix keeps `docker network ls` usable), then odd Unicode.
pub fn network_name(n: usize) -> String {
    format!("net-{n:03}-{}", ODD_TEXT[n % ODD_TEXT.len()])
}

/// The bridge device of `--odd` network `n` (≤ 15 bytes, recorded for teardown).
pub fn network_bridge(n: usize) -> String {
    format!("zdb{n:03}")
}

/// What one generated container is, besides its create body: what its report must say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expect {
    /// Started after creation (else left `created`).
    pub running: bool,
    /// `--privileged`: CTR001 fails.
    pub privileged: bool,
    /// A credential-like environment variable name: SEC001 fails.
    pub credential_env: bool,
    /// `com.docker.compose.project`, as the inventory must show it.
    pub compose_project: Option<String>,
    /// The user-defined network it joins.
    pub network: Option<String>,
}

/// The create body (`POST /containers/create`) of container `i` and what its report must say: a
/// deterministic mix of what real hosts have (published ports, env, bind mounts and volumes,
/// labels, hardened ones, a few privileged), over the daemon's `images` in turn.
pub fn container(i: usize, images: &[String], odd: bool) -> (Value, Expect) {
    let running = i.is_multiple_of(RUNNING_EVERY) && i < RUNNING_BELOW;
    let mut labels = BTreeMap::from([
        ("bench.index".to_owned(), i.to_string()),
        ("com.example.team".to_owned(), format!("team-{}", i % 8)),
    ]);
    let mut env = vec!["LOG_LEVEL=info".to_owned(), format!("WORKER_ID={i}")];
    let mut credential_env = false;
    if i.is_multiple_of(3) {
        // A secret-looking name with a harmless value: the env-secret check has work to do.
        env.push("DB_PASSWORD=bench-not-a-secret".to_owned());
        credential_env = true;
    }
    let mut config = json!({});
    let mut host = json!({});
    let mut exposed = serde_json::Map::new();
    let mut bindings = serde_json::Map::new();
    let mut binds: Vec<String> = Vec::new();
    if i.is_multiple_of(4) {
        exposed.insert("8080/tcp".into(), json!({}));
        bindings.insert("8080/tcp".into(), json!([{ "HostIp": "127.0.0.1", "HostPort": "" }]));
    }
    if i % 10 == 5 {
        exposed.insert("80/tcp".into(), json!({}));
        bindings.insert("80/tcp".into(), json!([{ "HostIp": "", "HostPort": "" }]));
    }
    if i.is_multiple_of(9) {
        binds.push("/etc:/host-etc:ro".to_owned());
    }
    if i % 6 == 1 {
        host["Tmpfs"] = json!({ "/run": "" });
    }
    if i.is_multiple_of(11) {
        host["RestartPolicy"] = json!({ "Name": "always" });
    }
    if i % 7 == 3 {
        host["CapAdd"] = json!(["NET_ADMIN"]);
    }
    if i % 4 == 2 {
        config["User"] = json!("10001:10001");
        config["Healthcheck"] = json!({ "Test": ["CMD-SHELL", "true"] });
        host["ReadonlyRootfs"] = json!(true);
        host["CapDrop"] = json!(["ALL"]);
        host["SecurityOpt"] = json!(["no-new-privileges"]);
        host["Memory"] = json!(64 * 1024 * 1024);
        host["PidsLimit"] = json!(64);
    }
    let mut privileged = false;
    let mut network_mode = None;
    if !running {
        // Only created: these could not start here (privileged) or would clash (host network).
        match i % 50 {
            7 | 32 => privileged = true,
            13 => network_mode = Some("host"),
            19 => network_mode = Some("none"),
            _ => {}
        }
    }
    if i.is_multiple_of(5) {
        binds.push(format!("bench-data-{}:/data", i % 20));
    }
    let mut compose_project = None;
    let mut network = None;
    if odd {
        let (env_name, credential) = ODD_ENV[i % ODD_ENV.len()];
        env.push(format!("{env_name}={}", ODD_TEXT[i % ODD_TEXT.len()]));
        credential_env |= credential;
        let text = ODD_TEXT[(i / 3) % ODD_TEXT.len()];
        labels.insert(format!("com.example.{text}"), format!("{text} #{i}"));
        if i % 4 == 1 {
            let project = ODD_PROJECTS[i % ODD_PROJECTS.len()].to_owned();
            labels.insert("com.docker.compose.project".into(), project.clone());
            labels
                .insert("com.docker.compose.service".into(), format!("svc-{}", ODD_TEXT[i % ODD_TEXT.len()]));
            compose_project = Some(project);
        }
        if i % HUGE_LABEL_EVERY == HUGE_LABEL_EVERY - 1 {
            // Multi-byte text, so a cut at a byte count would split a character.
            let huge = huge_text(i);
            match (i / HUGE_LABEL_EVERY) % 3 {
                0 => labels.insert("com.example.blob".into(), huge),
                1 => labels.insert("org.opencontainers.image.description".into(), huge),
                _ => labels.insert(format!("com.example.key.{huge}"), "1".into()),
            };
        }
        if network_mode.is_none() && i % NETWORK_EVERY == 1 {
            network = Some(network_name((i / NETWORK_EVERY) % ODD_NETWORKS));
        }
    }
    if privileged {
        host["Privileged"] = json!(true);
    }
    if let Some(mode) = network_mode {
        host["NetworkMode"] = json!(mode);
    }
    if !bindings.is_empty() {
        host["PortBindings"] = Value::Object(bindings);
        config["ExposedPorts"] = Value::Object(exposed);
    }
    if !binds.is_empty() {
        host["Binds"] = json!(binds);
    }
    if let Some(image) = images.get(i % images.len().max(1)) {
        config["Image"] = json!(image);
    }
    config["Labels"] = json!(labels);
    config["Env"] = json!(env);
    config["HostConfig"] = host;
    if let Some(net) = &network {
        config["NetworkingConfig"] = json!({ "EndpointsConfig": { net: {} } });
    }
    let expect = Expect { running, privileged, credential_env, compose_project, network };
    (config, expect)
}

/// About [`HUGE_LABEL_BYTES`] of UTF-8 mixing 1- to 4-byte characters, different per container.
fn huge_text(i: usize) -> String {
    let unit = format!("{i}-\u{00E9}\u{05E9}\u{1F433}\u{200B}{}|", ODD_TEXT[i % ODD_TEXT.len()]);
    let mut s = String::with_capacity(HUGE_LABEL_BYTES + unit.len());
    while s.len() < HUGE_LABEL_BYTES {
        s.push_str(&unit);
    }
    s
}

/// One Engine API request over a unix socket (HTTP/1.1, `Connection: close`): status and body.
fn request(socket: &Path, method: &str, path: &str, body: Option<&[u8]>) -> Result<(u16, String)> {
    let mut stream =
        UnixStream::connect(socket).with_context(|| format!("cannot connect to {}", socket.display()))?;
    stream.set_read_timeout(Some(Duration::from_secs(300)))?;
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let text = String::from_utf8_lossy(&answer);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .with_context(|| format!("{method} {path}: no HTTP status in the answer"))?;
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b).trim().to_owned();
    Ok((status, body))
}

/// A request that must answer 2xx.
fn call(socket: &Path, method: &str, path: &str, body: Option<&Value>) -> Result<String> {
    let bytes = body.map(serde_json::to_vec).transpose()?;
    let (status, answer) = request(socket, method, path, bytes.as_deref())?;
    ensure!((200..300).contains(&status), "{method} {path}: HTTP {status}: {}", shorten(&answer));
    Ok(answer)
}

fn shorten(text: &str) -> String {
    let mut s: String = text.chars().take(300).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    s
}

/// Creates the `--odd` networks (bridges with an own device name and a /28 of 10.214.0.0/16, so
/// neither the address pools nor device names run dry) and returns their bridge devices.
pub fn create_networks(socket: &Path) -> Result<Vec<String>> {
    let mut devices = Vec::with_capacity(ODD_NETWORKS);
    for n in 0..ODD_NETWORKS {
        let subnet = format!("10.214.{}.{}/28", n / 16, (n % 16) * 16);
        let body = json!({
            "Name": network_name(n),
            "CheckDuplicate": true,
            "Driver": "bridge",
            "IPAM": { "Config": [{ "Subnet": subnet }] },
            "Options": { "com.docker.network.bridge.name": network_bridge(n) },
            "Labels": { format!("com.example.{}", ODD_TEXT[n % ODD_TEXT.len()]): ODD_TEXT[(n + 1) % ODD_TEXT.len()] },
        });
        call(socket, "POST", "/networks/create", Some(&body)).with_context(|| format!("network {n}"))?;
        devices.push(network_bridge(n));
    }
    Ok(devices)
}

/// Creates containers `from..to` (0-based) with `parallel` concurrent API clients, starting every
/// [`RUNNING_EVERY`]th.
pub fn create_containers(
    socket: &Path,
    images: &[String],
    odd: bool,
    from: usize,
    to: usize,
    parallel: usize,
) -> Result<()> {
    let next = AtomicUsize::new(from);
    let failed = AtomicBool::new(false);
    let errors = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..parallel {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= to {
                        break;
                    }
                    let (body, expect) = container(i, images, odd);
                    let created =
                        call(socket, "POST", &format!("/containers/create?name={}", name(i)), Some(&body))
                            .and_then(|_| {
                                if expect.running {
                                    call(socket, "POST", &format!("/containers/{}/start", name(i)), None)?;
                                }
                                Ok(())
                            });
                    if let Err(e) = created {
                        failed.store(true, Ordering::Relaxed);
                        if let Ok(mut errs) = errors.lock() {
                            errs.push(format!("{}: {e:#}", name(i)));
                        }
                    }
                }
            });
        }
    });
    let errors = errors.into_inner().unwrap_or_default();
    if let Some(first) = errors.first() {
        bail!("{} container(s) could not be created; first error: {first}", errors.len());
    }
    Ok(())
}

/// Checks the report of a host holding containers `0..size` of the mix: every container listed
/// once under its name, with its Compose project verbatim; CTR001 failing exactly on the
/// privileged ones and SEC001 exactly on those with a credential-like variable name (odd Unicode
/// included), every other container passing them; every per-container check judging each
/// container once; the networks counted. Returns a one-line summary.
pub fn verify(report: &Value, images: &[String], odd: bool, size: usize) -> Result<String> {
    let expected: BTreeMap<String, Expect> =
        (0..size).map(|i| (name(i), container(i, images, odd).1)).collect();
    let containers = report
        .pointer("/inventory/containers")
        .and_then(Value::as_array)
        .context("the report has no inventory of containers")?;
    let mut seen = BTreeSet::new();
    for c in containers {
        let name = c["name"].as_str().context("an inventory container without a name")?;
        let Some(want) = expected.get(name) else {
            bail!("the inventory lists an unknown container `{name}`")
        };
        ensure!(seen.insert(name.to_owned()), "the inventory lists `{name}` twice");
        let project = c.get("compose_project").and_then(Value::as_str);
        ensure!(
            project == want.compose_project.as_deref(),
            "{name}: Compose project {project:?}, expected {:?}",
            want.compose_project
        );
        if let Some(net) = &want.network {
            let nets: Vec<&str> =
                c["networks"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
            ensure!(nets.contains(&net.as_str()), "{name}: networks {nets:?}, expected to include {net:?}");
        }
    }
    ensure!(seen.len() == size, "the inventory lists {} containers, expected {size}", seen.len());
    let checks = report["checks"].as_array().context("the report has no checks")?;
    let check =
        |code: &str| checks.iter().find(|c| c["id"] == code).with_context(|| format!("no check {code}"));
    let mut failing = BTreeMap::new();
    for code in ["CTR001", "SEC001"] {
        let wanted = |e: &Expect| if code == "CTR001" { e.privileged } else { e.credential_env };
        let mut judged = 0;
        let mut fails = 0;
        for f in check(code)?["findings"].as_array().into_iter().flatten() {
            if f["target"]["kind"] != "container" {
                continue;
            }
            let name = f["target"]["name"].as_str().unwrap_or_default();
            let want =
                expected.get(name).with_context(|| format!("{code} judges an unknown container `{name}`"))?;
            let status = f["status"].as_str().unwrap_or_default();
            let should_fail = wanted(want);
            ensure!(
                (status == "fail") == should_fail && (should_fail || status == "pass"),
                "{code} on {name}: {status}, expected {}",
                if should_fail { "fail" } else { "pass" }
            );
            judged += 1;
            fails += usize::from(should_fail);
        }
        ensure!(judged == size, "{code} judges {judged} containers, expected {size}");
        failing.insert(code, fails);
    }
    // Every per-container check judges each container exactly once.
    for c in checks.iter().filter(|c| c["id"].as_str().is_some_and(|id| id.starts_with("CTR"))) {
        let targets: Vec<&str> = c["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["target"]["kind"] == "container")
            .filter_map(|f| f["target"]["name"].as_str())
            .collect();
        let distinct: BTreeSet<&str> = targets.iter().copied().collect();
        ensure!(distinct.len() == targets.len(), "{}: a container judged twice", c["id"]);
        ensure!(
            targets.is_empty() || distinct.len() == size,
            "{}: {} containers judged, expected {size}",
            c["id"],
            distinct.len()
        );
    }
    let networks = report.pointer("/subject/networks").and_then(Value::as_u64).unwrap_or(0);
    let want_networks = 3 + if odd { ODD_NETWORKS as u64 } else { 0 };
    ensure!(networks == want_networks, "the report counts {networks} networks, expected {want_networks}");
    Ok(format!(
        "verdicts verified: {size} containers, CTR001 fails on {} privileged, SEC001 on {} with credential-like names, {networks} networks",
        failing["CTR001"], failing["SEC001"]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn images() -> Vec<String> {
        ["zerodock/busybox:1", "zerodock/busybox:latest", "zerodock/hardened:1"].map(str::to_owned).to_vec()
    }

    #[test]
    fn container_mix_is_varied_and_startable() {
        let images = images();
        let all: Vec<(Value, Expect)> = (0..1000).map(|i| container(i, &images, false)).collect();
        let running = all.iter().filter(|(_, e)| e.running).count();
        assert!((20..=60).contains(&running), "{running} running");
        for (body, e) in &all {
            if e.running {
                assert!(body["HostConfig"]["Privileged"].is_null(), "{body}");
                assert!(body["HostConfig"]["NetworkMode"].is_null(), "{body}");
            }
        }
        assert!(all.iter().filter(|(_, e)| e.privileged).count() >= 10);
        for image in &images {
            assert!(
                all.iter().filter(|(b, _)| b["Image"] == image.as_str()).count() > 100,
                "{image} is used"
            );
        }
        let names: BTreeSet<String> = (0..10_000).map(name).collect();
        assert_eq!(names.len(), 10_000);
    }

    #[test]
    fn odd_mix_has_every_odd_case() {
        let images = images();
        let all: Vec<(Value, Expect)> = (0..10_000).map(|i| container(i, &images, true)).collect();
        let huge: Vec<&Value> = all
            .iter()
            .filter(|(b, _)| {
                b["Labels"].as_object().is_some_and(|l| {
                    l.iter().any(|(k, v)| {
                        k.len() >= HUGE_LABEL_BYTES || v.as_str().is_some_and(|v| v.len() >= HUGE_LABEL_BYTES)
                    })
                })
            })
            .map(|(b, _)| b)
            .collect();
        assert_eq!(huge.len(), 10, "one 1 MB label per 1000 containers");
        let nets: BTreeSet<&String> = all.iter().filter_map(|(_, e)| e.network.as_ref()).collect();
        assert_eq!(nets.len(), ODD_NETWORKS, "every network is joined");
        assert!(all.iter().any(|(_, e)| e.compose_project.is_some()));
        // Both verdicts occur among the odd names alone (containers not also holding DB_PASSWORD).
        for want in [true, false] {
            assert!(all.iter().enumerate().any(|(i, (_, e))| i % 3 != 0 && e.credential_env == want));
        }
        for n in 0..ODD_NETWORKS {
            assert!(network_bridge(n).len() <= 15);
        }
    }

    #[test]
    fn odd_env_names_follow_the_engines_rule() {
        // The expectation table is ZeroDock's documented rule, checked here against the code.
        for (name, credential) in ODD_ENV {
            assert_eq!(
                zerodock_engine::snapshot::secrets::is_credential_name(name),
                credential,
                "{name:?} ({})",
                name.escape_unicode()
            );
        }
    }

    #[test]
    fn huge_text_is_a_megabyte_of_whole_characters() {
        let t = huge_text(999);
        assert!(t.len() >= HUGE_LABEL_BYTES && t.len() < HUGE_LABEL_BYTES + 100);
        assert!(t.chars().any(|c| c.len_utf8() == 4) && t.chars().any(|c| c.len_utf8() == 2));
    }
}
