//! Signed reports through the `zerodock` binary, offline: `scan --from` a captured fixture with
//! `--sign`, `report --from … --sign`, `key export`, and `verify`'s three outcomes (0 valid,
//! 1 invalid: tampered content or unknown key, 2 error: malformed envelope). The keyring is a
//! private, real Secret Service (crates/store/tests/support/secret_service.rs) selected with
//! `ZERODOCK_KEYRING=secret-service`, so the user's keyring is never touched. The envelope and
//! the exported key are also checked with standard tools (`openssl`, `sha256sum`), as an auditor
//! without ZeroDock would (docs/signing.md).

#[path = "../crates/store/tests/support/secret_service.rs"]
mod secret_service;

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/crates/engine/tests/fixtures/default.json");

fn tempdir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zd-trust-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// `zerodock` in `dir` against the private keyring; no engine is reachable.
fn zerodock(service: &secret_service::PrivateSecretService, dir: &Path) -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("zerodock");
    cmd.current_dir(dir)
        .envs(service.env())
        .env("ZERODOCK_KEYRING", "secret-service")
        .env("DOCKER_HOST", "unix:///nonexistent/zerodock-test.sock")
        .env("NO_COLOR", "1")
        .env_remove("ZERODOCK_POLICY");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The value after `label` on its line of `out`.
fn field(out: &str, label: &str) -> String {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(label))
        .unwrap_or_else(|| panic!("no `{label}` in:\n{out}"))
        .trim()
        .to_owned()
}

fn std_ok(cmd: &mut Std) -> String {
    let out = cmd.output().expect("tool runs");
    assert!(out.status.success(), "{cmd:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn sign_then_verify_valid_tampered_unknown_key_and_garbage() {
    let service = secret_service::PrivateSecretService::start();
    let dir = tempdir("flow");

    let scan = zerodock(&service, &dir)
        .args(["scan", "--from", FIXTURE, "--format", "json", "-o", "R.json", "--sign"])
        .output()
        .expect("runs");
    let err = text(&scan.stderr);
    assert_eq!(scan.status.code(), Some(0), "{err}");
    assert!(err.contains("created the report-signing key sha256:"), "{err}");
    assert!(err.contains("signed R.json → R.json.dsse.json"), "{err}");
    let envelope: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("R.json.dsse.json")).expect("envelope written"))
            .expect("json");
    assert_eq!(envelope["payloadType"], "application/vnd.in-toto+json");
    let keyid = envelope["signatures"][0]["keyid"].as_str().expect("keyid").to_owned();

    // Valid, by the local key; the digest is the file's, as sha256sum says.
    let ok = zerodock(&service, &dir).args(["verify", "R.json"]).output().expect("runs");
    let out = text(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{out}{}", text(&ok.stderr));
    assert!(out.starts_with("valid: R.json"), "{out}");
    assert_eq!(field(&out, "signed by key"), keyid);
    let sha = std_ok(Std::new("sha256sum").arg(dir.join("R.json")));
    assert_eq!(field(&out, "report sha256:"), sha.split_whitespace().next().expect("digest"));

    // The auditor's key: the same fingerprint, reproducible with openssl.
    let export = zerodock(&service, &dir).args(["key", "export", "-o", "key.pem"]).output().expect("runs");
    let err = text(&export.stderr);
    assert_eq!(export.status.code(), Some(0), "{err}");
    assert!(err.contains(&format!("key fingerprint {keyid} (existing, secret-service keyring)")), "{err}");
    let pem = std::fs::read_to_string(dir.join("key.pem")).expect("key.pem");
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----") && !pem.contains("PRIVATE"), "{pem}");
    let der_sha = std_ok(
        Std::new("sh")
            .current_dir(&dir)
            .args(["-c", "openssl pkey -pubin -in key.pem -outform DER | sha256sum"]),
    );
    assert_eq!(format!("sha256:{}", der_sha.split_whitespace().next().expect("digest")), keyid);

    // Standard tooling verifies the signature over DSSE's PAE (docs/signing.md's recipe).
    let b64 = |field: &str, name: &str| {
        std::fs::write(dir.join(format!("{name}.b64")), field).expect("write");
        std_ok(Std::new("openssl").current_dir(&dir).args([
            "base64",
            "-d",
            "-A",
            "-in",
            &format!("{name}.b64"),
            "-out",
            &format!("{name}.bin"),
        ]));
        std::fs::read(dir.join(format!("{name}.bin"))).expect("decoded")
    };
    let payload = b64(envelope["payload"].as_str().expect("payload"), "payload");
    b64(envelope["signatures"][0]["sig"].as_str().expect("sig"), "sig");
    let statement: serde_json::Value = serde_json::from_slice(&payload).expect("statement");
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["subject"][0]["name"], "R.json");
    let mut pae = format!("DSSEv1 28 application/vnd.in-toto+json {} ", payload.len()).into_bytes();
    pae.extend_from_slice(&payload);
    std::fs::write(dir.join("pae.bin"), &pae).expect("pae");
    let verified = std_ok(Std::new("openssl").current_dir(&dir).args([
        "pkeyutl", "-verify", "-pubin", "-inkey", "key.pem", "-rawin", "-in", "pae.bin", "-sigfile",
        "sig.bin",
    ]));
    assert!(verified.contains("Signature Verified Successfully"), "{verified}");

    // With --key only (an auditor's machine): no keyring is opened at all.
    let audited = zerodock(&service, &dir)
        .args(["verify", "R.json", "--key", "key.pem"])
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
        .output()
        .expect("runs");
    assert_eq!(audited.status.code(), Some(0), "{}", text(&audited.stderr));

    // One byte of the report changed → 1, tampered content.
    let mut report = std::fs::read(dir.join("R.json")).expect("report");
    let at = report.iter().position(|b| b.is_ascii_digit()).expect("a digit");
    report[at] = if report[at] == b'9' { b'8' } else { report[at] + 1 };
    std::fs::write(dir.join("T.json"), &report).expect("tampered copy");
    std::fs::copy(dir.join("R.json.dsse.json"), dir.join("T.json.dsse.json")).expect("copy");
    let bad = zerodock(&service, &dir).args(["verify", "T.json", "--key", "key.pem"]).output().expect("runs");
    let out = text(&bad.stdout);
    assert_eq!(bad.status.code(), Some(1), "{out}{}", text(&bad.stderr));
    assert!(out.contains("invalid: T.json: tampered content"), "{out}");

    // Someone else's key → 1, unknown key (naming both).
    std_ok(
        Std::new("sh")
            .current_dir(&dir)
            .args(["-c", "openssl genpkey -algorithm ed25519 | openssl pkey -pubout -out other.pem"]),
    );
    let other =
        zerodock(&service, &dir).args(["verify", "R.json", "--key", "other.pem"]).output().expect("runs");
    let out = text(&other.stdout);
    assert_eq!(other.status.code(), Some(1), "{out}{}", text(&other.stderr));
    assert!(out.contains(&format!("unknown key: signed by {keyid}, trusted: sha256:")), "{out}");

    // A garbage envelope → 2, malformed.
    std::fs::write(dir.join("G.json.dsse.json"), b"{ this is not an envelope").expect("garbage");
    let garbage = zerodock(&service, &dir)
        .args(["verify", "R.json", "--envelope", "G.json.dsse.json", "--key", "key.pem"])
        .output()
        .expect("runs");
    let err = text(&garbage.stderr);
    assert_eq!(garbage.status.code(), Some(2), "{err}");
    assert!(err.contains("malformed envelope"), "{err}");

    // `report --from R.json --sign` signs the re-rendered JSON with the same key.
    let again = zerodock(&service, &dir)
        .args(["report", "--from", "R.json", "--format", "json", "-o", "R2.json", "--sign"])
        .output()
        .expect("runs");
    assert_eq!(again.status.code(), Some(0), "{}", text(&again.stderr));
    assert!(!text(&again.stderr).contains("created"), "the key from the scan is reused");
    let ok = zerodock(&service, &dir).args(["verify", "R2.json"]).output().expect("runs");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    assert_eq!(field(&text(&ok.stdout), "signed by key"), keyid);

    // A PDF and an HTML written beside a signed JSON name the signature: the key and the JSON's
    // digest, as an auditor compares them with `zerodock verify` and `sha256sum`. The PDF comes
    // first on the command line: the JSON must still be written (and hashed) before it.
    let sealed = zerodock(&service, &dir)
        .args(["scan", "--from", FIXTURE, "-o", "S.pdf", "-o", "S.json", "-o", "S.html", "--sign"])
        .output()
        .expect("runs");
    assert_eq!(sealed.status.code(), Some(0), "{}", text(&sealed.stderr));
    let digest = std_ok(Std::new("sha256sum").arg(dir.join("S.json")));
    let digest = digest.split_whitespace().next().expect("a digest").to_owned();
    let pdf = std_ok(Std::new("pdftotext").args(["-layout"]).arg(dir.join("S.pdf")).arg("-"));
    let html = std::fs::read_to_string(dir.join("S.html")).expect("html");
    for (name, shown) in [("PDF", &pdf), ("HTML", &html)] {
        assert!(shown.contains("Signed report"), "{name}: no signature section");
        assert!(shown.contains(&keyid), "{name}: the key {keyid} is not named");
        assert!(shown.contains(&digest), "{name}: the JSON's SHA-256 {digest} is not named");
        assert!(shown.contains("S.json.dsse.json"), "{name}: the envelope is not named");
    }
    let ok = zerodock(&service, &dir).args(["verify", "S.json"]).output().expect("runs");
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stdout));
    // Unsigned, the same PDF says nothing of a signature.
    let plain =
        zerodock(&service, &dir).args(["scan", "--from", FIXTURE, "-o", "P.pdf"]).output().expect("runs");
    assert!(plain.status.success(), "{}", text(&plain.stderr));
    let pdf = std_ok(Std::new("pdftotext").arg(dir.join("P.pdf")).arg("-"));
    assert!(!pdf.contains("Signed report"), "an unsigned PDF claims a signature");

    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn sign_needs_a_json_file_and_writes_nothing_without_one() {
    let service = secret_service::PrivateSecretService::start();
    let dir = tempdir("nojson");
    let out = zerodock(&service, &dir)
        .args(["scan", "--from", FIXTURE, "-o", "R.html", "--sign"])
        .output()
        .expect("runs");
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--sign signs the JSON report file"), "{err}");
    assert!(!dir.join("R.html").exists(), "nothing is written when --sign cannot sign");
    // And no key was created in the keyring by the refused command.
    let verify = zerodock(&service, &dir).args(["verify", "R.html"]).output().expect("runs");
    assert_eq!(verify.status.code(), Some(2), "no envelope is an error: {}", text(&verify.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
