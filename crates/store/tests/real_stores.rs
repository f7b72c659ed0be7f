//! The keyring against real stores: a private Secret Service (its own dbus-daemon and an unlocked
//! gnome-keyring-daemon, see support/secret_service.rs) and the kernel's keyutils in a fresh
//! session keyring (`keyctl session -`). Each case re-runs this test binary as a child
//! (`inner_keyring_phase`) in the prepared environment, because the stores read it at connect
//! time and a test may not change its own environment; two children per case show that a secret
//! written by one process is read by another, i.e. it is really in the store.

#[path = "support/secret_service.rs"]
mod secret_service;

use std::process::Command;

use zerodock_store::secrets::{Secrets, StoreChoice};
use zerodock_store::signing::{KEY_NAME, ReportSigner};

/// Not UTF-8, with a NUL: the stores must keep bytes, not text.
const VALUE: &[u8] = b"\x00s3cr\xc3\xa9t\xff";

fn unique_name() -> String {
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    format!("test-{}-{nanos}", std::process::id())
}

/// One phase of a case, in a child process (see the file doc). `ZERODOCK_TEST_INNER` keeps it
/// inert when someone runs the ignored tests by hand outside a prepared store.
#[test]
#[ignore = "run as a child by the real-store tests below, inside a private keyring"]
fn inner_keyring_phase() {
    if std::env::var_os("ZERODOCK_TEST_INNER").is_none() {
        return;
    }
    let var = |k: &str| std::env::var(k).unwrap_or_else(|_| panic!("{k} is set by the parent"));
    let (expect, phase, name) =
        (var("ZERODOCK_TEST_EXPECT"), var("ZERODOCK_TEST_PHASE"), var("ZERODOCK_TEST_NAME"));
    let signing = std::env::var_os("ZERODOCK_TEST_SIGNING").is_some();
    let (secrets, kind) =
        Secrets::open_with(StoreChoice::from_env().expect("choice")).expect("a store opens");
    assert_eq!(kind.as_str(), expect, "the store in use");
    let fingerprint_file = std::env::temp_dir().join(format!("{name}.fingerprint"));
    match phase.as_str() {
        "set" => {
            assert!(secrets.get(&name).expect("read").is_none(), "a fresh name is empty");
            secrets.set(&name, VALUE).expect("write");
            if signing {
                let (signer, created) = ReportSigner::load_or_create(&secrets).expect("signing key");
                assert!(created, "the private store starts without a signing key");
                std::fs::write(&fingerprint_file, signer.public().fingerprint()).expect("note");
            }
        }
        "check-delete" => {
            let got = secrets.get(&name).expect("read").expect("written by the other process");
            assert_eq!(got.expose(), VALUE);
            assert!(secrets.delete(&name).expect("delete"));
            assert!(secrets.get(&name).expect("read").is_none(), "deleted");
            assert!(!secrets.delete(&name).expect("delete again"));
            if signing {
                let signer = ReportSigner::load(&secrets).expect("read key").expect("the key persisted");
                let noted = std::fs::read_to_string(&fingerprint_file).expect("note");
                let _ = std::fs::remove_file(&fingerprint_file);
                assert_eq!(signer.public().fingerprint(), noted, "the same key comes back");
                assert!(secrets.delete(KEY_NAME).expect("delete key"));
            }
        }
        other => panic!("unknown phase {other}"),
    }
}

/// The child command for one phase.
fn phase(program: &mut Command, phase: &str, name: &str) {
    program
        .env("ZERODOCK_TEST_INNER", "1")
        .env("ZERODOCK_TEST_PHASE", phase)
        .env("ZERODOCK_TEST_NAME", name)
        .args(["--exact", "inner_keyring_phase", "--include-ignored", "--nocapture", "--test-threads=1"]);
}

fn run(mut command: Command, what: &str) -> String {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "{what} failed:\n{text}");
    assert!(text.contains("1 passed"), "{what} did not run the inner test:\n{text}");
    text
}

#[test]
fn secret_service_is_preferred_and_keeps_secrets_across_processes() {
    let service = secret_service::PrivateSecretService::start();
    let name = unique_name();
    let exe = std::env::current_exe().expect("test binary");
    for step in ["set", "check-delete"] {
        let mut child = Command::new(&exe);
        child
            .envs(service.env())
            .env_remove("ZERODOCK_KEYRING")
            .env("ZERODOCK_TEST_EXPECT", "secret-service");
        child.env("ZERODOCK_TEST_SIGNING", "1");
        phase(&mut child, step, &name);
        run(child, step);
        if step == "set" {
            // Another Secret Service client sees the item under service `zerodock`: it is in
            // gnome-keyring, not in some cache of ours.
            let out = Command::new("secret-tool")
                .envs(service.env())
                .args(["search", "service", "zerodock", "username", &name])
                .output()
                .expect("secret-tool (apt install libsecret-tools)");
            let listed = String::from_utf8_lossy(&out.stdout) + String::from_utf8_lossy(&out.stderr);
            assert!(listed.contains(&format!("attribute.username = {name}")), "secret-tool: {listed}");
        }
    }
}

#[test]
fn keyutils_is_the_fallback_without_a_secret_service() {
    if Command::new("keyctl").arg("--version").output().is_err() {
        panic!("keyctl is missing: apt install keyutils (cargo xtask deps)");
    }
    let name = unique_name();
    let exe = std::env::current_exe().expect("test binary");
    // Both phases inside one fresh session keyring, as a login session would have; the bus
    // address points nowhere, so the Secret Service cannot answer and `auto` must fall back.
    let mut child = Command::new("keyctl");
    child
        .args([
            "session",
            "-",
            "sh",
            "-c",
            r#"ZERODOCK_TEST_PHASE=set "$@" && ZERODOCK_TEST_PHASE=check-delete "$@""#,
            "sh",
        ])
        .arg(&exe)
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/zerodock-test-bus")
        .env_remove("ZERODOCK_KEYRING")
        .env("ZERODOCK_TEST_EXPECT", "keyutils");
    phase(&mut child, "set", &name); // the shell overrides the phase for each run
    let text = run(child, "keyutils phases");
    assert_eq!(text.matches("1 passed").count(), 2, "both phases ran:\n{text}");
}

#[test]
fn forced_keyutils_in_a_session_keyring_round_trips() {
    let name = unique_name();
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new("keyctl");
    child
        .args([
            "session",
            "-",
            "sh",
            "-c",
            r#"ZERODOCK_TEST_PHASE=set "$@" && ZERODOCK_TEST_PHASE=check-delete "$@""#,
            "sh",
        ])
        .arg(&exe)
        .env("ZERODOCK_KEYRING", "keyutils")
        .env("ZERODOCK_TEST_EXPECT", "keyutils");
    phase(&mut child, "set", &name);
    let text = run(child, "forced keyutils");
    assert_eq!(text.matches("1 passed").count(), 2, "both phases ran:\n{text}");
}
