//! End-to-end, on the live engine: a small real sample of what a giant, odd host holds — variable
//! *names* in odd Unicode (right-to-left override, combining marks, emoji, zero-width characters),
//! labels of 1 MB (a redacted value, a kept OCI value, a key), a Compose project in another script,
//! networks with odd names — judged correctly and written in every format; the snapshot of it reads
//! back to the same verdicts. The same cases at ten thousand containers and 500 networks are
//! `cargo xtask bench --odd` (a benchmark: it checks every verdict too, and times the scan).
//! Run by `cargo xtask test`.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;

use common::{
    Scenario, docker, docker_ok, files_in, pdf_text, planted_secret, socket_path, tempdir, zerodock,
};
use serde_json::{Value, json};

/// Names that hide a credential word behind odd characters: ZeroDock splits names into ASCII
/// words, so each is still a credential.
const CREDENTIAL_NAMES: [&str; 4] =
    ["DB_PASS\u{200B}WORD", "\u{202E}API_TOKEN", "SECRET\u{0301}", "\u{1F511}_PASSWORD"];
/// Names in other scripts or with odd characters between ordinary words: not credentials.
const BENIGN_NAMES: [&str; 4] =
    ["\u{05E9}\u{05DD}_USER", "LOG\u{200D}LEVEL", "MAX_\u{1F433}_COUNT", "NA\u{0308}IVE_MODE"];
/// A Compose project in katakana and a service with a zero-width joiner and an emoji.
const PROJECT: &str = "\u{30D7}\u{30ED}\u{30B8}\u{30A7}\u{30AF}\u{30C8}";
const SERVICE: &str = "we\u{0308}b\u{200D}\u{1F680}";

/// 1 MB of UTF-8 mixing 1- to 4-byte characters (a cut at a byte count would split one).
fn huge(tag: &str) -> String {
    let unit = format!("{tag}-\u{00E9}\u{05E9}\u{1F433}\u{200B}\u{202E}|");
    unit.repeat((1 << 20) / unit.len() + 1)
}

/// The first thousand characters of `s` (whole characters: a byte cut could split one).
fn head(s: &str) -> String {
    s.chars().take(1000).collect()
}

/// `POST path` with a JSON body to the engine's socket; panics unless it answers 2xx. The CLI
/// cannot pass a 1 MB label: one argument is limited to 128 KB, `--label-file` lines to 64 KB.
fn api_post(path: &str, body: &Value) -> String {
    let body = serde_json::to_vec(body).expect("json");
    let mut s = UnixStream::connect(socket_path()).expect("engine socket");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: docker\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).and_then(|()| s.write_all(&body)).expect("request");
    let mut answer = String::new();
    s.read_to_string(&mut answer).expect("answer");
    let status = answer.split_whitespace().nth(1).unwrap_or_default();
    assert!(status.starts_with('2'), "POST {path}: {}", answer.chars().take(400).collect::<String>());
    answer
}

/// A network removed when dropped.
struct Network(String);

impl Drop for Network {
    fn drop(&mut self) {
        let _ = docker(&["network", "rm", &self.0]);
    }
}

fn finding<'a>(report: &'a Value, code: &str, name: &str) -> &'a Value {
    common::finding(report, code, name)
}

#[test]
fn an_odd_host_is_judged_right_in_every_format() {
    common::ensure_image();
    let pid = std::process::id();
    // dockerd itself refuses odd container names, so ZeroDock never meets one.
    let refused = docker(&["create", "--name", &format!("zdt-{pid}-\u{202E}odd"), common::image()]);
    assert!(!refused.status.success(), "the engine accepted a Unicode container name");

    let networks: Vec<Network> = [
        "\u{202E}txet-lrt",
        "\u{05E9}\u{05DC}\u{05D5}\u{05DD}",
        "\u{1F468}\u{200D}\u{1F469}\u{200D}\u{1F467}",
    ]
    .iter()
    .map(|odd| {
        let name = format!("zdt-{pid}-net-{odd}");
        docker_ok(&["network", "create", "--internal", &name]);
        Network(name)
    })
    .collect();

    let secret_env = |name: &str| format!("{name}={}", planted_secret());
    let mut cred_args: Vec<String> = Vec::new();
    for name in CREDENTIAL_NAMES {
        cred_args.extend(["-e".to_owned(), secret_env(name)]);
    }
    let cred_args: Vec<&str> = cred_args.iter().map(String::as_str).collect();
    let creds = Scenario::new("odd-creds", false, &cred_args);
    let mut benign_args: Vec<String> = Vec::new();
    for name in BENIGN_NAMES {
        benign_args.extend(["-e".to_owned(), format!("{name}=\u{202E}value")]);
    }
    benign_args.extend(["--network".to_owned(), networks[1].0.clone()]);
    let benign_args: Vec<&str> = benign_args.iter().map(String::as_str).collect();
    let benign = Scenario::new("odd-benign", false, &benign_args);
    let compose_args =
        [format!("com.docker.compose.project={PROJECT}"), format!("com.docker.compose.service={SERVICE}")];
    let compose = Scenario::new(
        "odd-compose",
        false,
        &[
            "--privileged",
            "--label",
            &compose_args[0],
            "--label",
            &compose_args[1],
            "--network",
            &networks[0].0,
        ],
    );
    // 1 MB labels through the API: a value ZeroDock redacts, an OCI value it keeps, a key.
    let labelled = Scenario { name: format!("zdt-{pid}-odd-huge") };
    let (blob, description, key) = (huge("blob"), huge("description"), huge("key"));
    api_post(
        &format!("/containers/create?name={}", labelled.name),
        &json!({
            "Image": common::image(),
            "Labels": {
                "com.example.blob": blob,
                "org.opencontainers.image.description": description,
                format!("com.example.{key}"): "1",
            },
        }),
    );

    let dir = tempdir("odd");
    let out = zerodock()
        .args(["scan", "-o", "r.json", "-o", "r.sarif", "-o", "r.html", "-o", "r.md", "-o", "r.pdf"])
        .current_dir(&dir)
        .output()
        .expect("zerodock runs");
    assert!(out.status.success(), "scan failed: {}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(files_in(&dir), ["r.html", "r.json", "r.md", "r.pdf", "r.sarif"]);
    let json_text = std::fs::read_to_string(dir.join("r.json")).expect("json");
    let report: Value = serde_json::from_str(&json_text).expect("JSON report");

    // Verdicts: disguised credential names are credentials, the others are not.
    let sec = finding(&report, "SEC001", &creds.name);
    assert_eq!(sec["status"], "fail", "{sec}");
    let sec_text = sec.to_string();
    for name in CREDENTIAL_NAMES {
        assert!(sec_text.contains(name), "SEC001 names {}: {sec}", name.escape_unicode());
    }
    assert_eq!(finding(&report, "SEC001", &benign.name)["status"], "pass");
    assert_eq!(finding(&report, "CTR001", &compose.name)["status"], "fail");
    for c in [&creds.name, &benign.name, &labelled.name] {
        assert_eq!(finding(&report, "CTR001", c)["status"], "pass", "{c}");
    }
    // The 1 MB-labelled container is judged like any other, and no label is copied into the report.
    assert_eq!(finding(&report, "CTR013", &labelled.name)["status"], "fail", "runs as root");
    assert!(json_text.len() < 4 << 20, "the report is {} bytes", json_text.len());
    for label in [&blob, &description, &key] {
        assert!(!json_text.contains(&head(label)), "a 1 MB label was copied into the report");
    }

    // The inventory keeps the odd names verbatim.
    let inv = report["inventory"]["containers"].as_array().expect("inventory");
    let entry =
        |name: &str| inv.iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("{name} listed"));
    assert_eq!(entry(&compose.name)["compose_project"], PROJECT);
    assert_eq!(entry(&compose.name)["compose_service"], SERVICE);
    assert_eq!(entry(&compose.name)["networks"], json!([networks[0].0]));
    assert_eq!(entry(&benign.name)["networks"], json!([networks[1].0]));
    let nets = report["inventory"]["networks"].as_array().expect("networks");
    for n in &networks {
        assert!(nets.iter().any(|x| x["name"] == n.0.as_str()), "network {} listed", n.0.escape_unicode());
    }

    // Every format carries the odd names and no secret value.
    let sarif: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("r.sarif")).expect("sarif")).expect("SARIF");
    let sarif_text = sarif.to_string();
    let html = std::fs::read_to_string(dir.join("r.html")).expect("html");
    let markdown = std::fs::read_to_string(dir.join("r.md")).expect("md");
    let pdf = pdf_text(&dir.join("r.pdf"));
    assert!(sarif_text.contains(&compose.name) && sarif_text.contains("SEC001"), "SARIF");
    assert!(html.contains(&compose.name), "HTML names the container");
    for name in CREDENTIAL_NAMES {
        // Shown, never obeyed: a right-to-left override or a zero-width space from the engine is
        // written as ⟨U+202E⟩ in what people read (Trojan Source); SARIF and JSON keep the data.
        let shown = zerodock_report::reveal::reveal(name, false);
        assert!(html.contains(&shown), "HTML names {shown} with its hidden characters shown");
        assert!(sarif_text.contains(name), "SARIF names {} verbatim", name.escape_unicode());
    }
    let terminal =
        zerodock().args(["scan", "--color", "always", "--max-targets", "0"]).output().expect("zerodock runs");
    let terminal = String::from_utf8(terminal.stdout).expect("UTF-8");
    assert!(terminal.contains("⟨U+202E⟩API_TOKEN"), "the terminal shows the override");
    for (format, text) in [("HTML", &html), ("Markdown", &markdown), ("terminal", &terminal)] {
        let hidden: Vec<String> = text
            .chars()
            .filter(|c| zerodock_report::reveal::is_hidden(*c) && *c != '\u{1b}')
            .map(|c| c.escape_unicode().to_string())
            .collect();
        assert!(hidden.is_empty(), "{format} holds hidden characters: {hidden:?}");
    }
    assert!(markdown.contains(&creds.name), "Markdown names the container");
    assert!(pdf.contains("CTR001") && pdf.contains("SEC001"), "PDF lists the failing checks");
    for name in ["r.json", "r.sarif", "r.html", "r.md", "r.pdf"] {
        let bytes = std::fs::read(dir.join(name)).expect("read");
        assert!(
            !bytes.windows(planted_secret().len()).any(|w| w == planted_secret().as_bytes()),
            "the planted secret value leaked into {name}"
        );
    }

    // The snapshot keeps the odd names and the kept 1 MB values, and reads back to the same verdicts.
    let snap = dir.join("snap.json");
    let collected = zerodock().args(["collect", "-o"]).arg(&snap).output().expect("collect runs");
    assert!(collected.status.success(), "{}", String::from_utf8_lossy(&collected.stderr));
    let snap_text = std::fs::read_to_string(&snap).expect("snapshot");
    assert!(snap_text.contains(&head(&description)) && snap_text.contains(&head(&key)), "kept labels kept");
    assert!(!snap_text.contains(&head(&blob)), "a free-form label value is redacted");
    let again = zerodock()
        .args(["scan", "--from"])
        .arg(&snap)
        .args(["--format", "json"])
        .output()
        .expect("scan --from runs");
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let again: Value = serde_json::from_slice(&again.stdout).expect("JSON");
    for (code, name) in [("SEC001", &creds.name), ("SEC001", &benign.name), ("CTR001", &compose.name)] {
        assert_eq!(
            finding(&again, code, name)["status"],
            finding(&report, code, name)["status"],
            "{code} {name}"
        );
    }
    drop((creds, benign, compose, labelled));
    drop(networks);
    let _ = std::fs::remove_dir_all(dir);
}
