//! Shared helpers of the end-to-end tests: the live engine they run against, scenario containers
//! that clean up after themselves, the scratch image and the planted secret (both named in
//! `xtask/scenarios.toml`, the one definition the xtask builds from), and a recording proxy in
//! front of the socket.
#![allow(dead_code)] // each test binary uses a different subset

pub mod proxy;
pub mod scratch;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// `xtask/scenarios.toml`, compiled in (a change rebuilds the tests): the xtask builds the
/// scratch image and plants the secret from the same file.
const SCENARIOS_TOML: &str = include_str!("../../xtask/scenarios.toml");

/// The value the tests share with the xtask besides the scratch image ([`scratch`]).
struct Shared {
    planted_secret: String,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let doc: toml::Table = SCENARIOS_TOML.parse().expect("xtask/scenarios.toml parses");
        let text = |v: Option<&toml::Value>, what: &str| {
            v.and_then(toml::Value::as_str)
                .unwrap_or_else(|| panic!("xtask/scenarios.toml has no {what}"))
                .to_owned()
        };
        Shared { planted_secret: text(doc.get("planted_secret"), "planted_secret") }
    })
}

/// The planted secret value (`planted_secret`): it must never appear in any output.
pub fn planted_secret() -> &'static str {
    &shared().planted_secret
}

/// The scratch image every scenario container runs (`[scratch] tag`).
pub fn image() -> &'static str {
    scratch::scratch_image()
}

/// The engine under test: `ZERODOCK_TEST_DOCKER_HOST`, else `DOCKER_HOST`. There is no skip: the
/// test command (`cargo xtask test`) starts a private dockerd when none is reachable, and a missing
/// engine fails the run, in CI and out.
pub fn docker_host() -> &'static str {
    static HOST: OnceLock<String> = OnceLock::new();
    HOST.get_or_init(|| {
        let host = std::env::var("ZERODOCK_TEST_DOCKER_HOST")
            .or_else(|_| std::env::var("DOCKER_HOST"))
            .unwrap_or_else(|_| "unix:///var/run/docker.sock".to_owned());
        let out = Command::new("docker").args(["version", "--format", "{{.Server.Version}}"]).env("DOCKER_HOST", &host).output();
        match out {
            Ok(o) if o.status.success() => host,
            Ok(o) => panic!(
                "no Docker engine answers at {host}: {}\nrun the tests with `cargo xtask test`, which starts a private dockerd",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("the docker CLI cannot be run ({e}): run `cargo xtask deps`"),
        }
    })
}

/// The socket path of the engine under test.
pub fn socket_path() -> PathBuf {
    PathBuf::from(docker_host().strip_prefix("unix://").expect("the test engine is a unix socket"))
}

/// Runs `docker ARGS` against the test engine.
pub fn docker(args: &[&str]) -> Output {
    Command::new("docker").args(args).env("DOCKER_HOST", docker_host()).output().expect("docker CLI runs")
}

/// Runs `docker ARGS` and panics with its stderr when it fails.
pub fn docker_ok(args: &[&str]) -> String {
    let out = docker(args);
    assert!(out.status.success(), "docker {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Checks once that the test engine has the scratch image. The tests never build it: the xtask's
/// one builder does (`cargo xtask test` for the engine it tests against, or by hand
/// `cargo xtask scenario image --host HOST`), so the image is the same everywhere.
pub fn ensure_image() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        let host = docker_host();
        assert!(
            docker(&["image", "inspect", "--format", "{{.Id}}", image()]).status.success(),
            "the scratch image {} is missing on {host}: run `cargo xtask scenario image --host {host}` \
             (`cargo xtask test` does it for the engine it tests against)",
            image()
        );
    });
}

/// A fresh directory under the system temp dir.
pub fn tempdir(tag: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("zd-e2e-{}-{tag}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

/// A container that is removed when dropped.
pub struct Scenario {
    /// Its name.
    pub name: String,
}

impl Scenario {
    /// `docker create` (start=false) or `docker run -d` (start=true) of [`image()`] with `args`.
    pub fn new(name: &str, start: bool, args: &[&str]) -> Self {
        Self::with_image(name, start, args, image())
    }

    /// The same with another image.
    pub fn with_image(name: &str, start: bool, args: &[&str], image: &str) -> Self {
        ensure_image();
        let name = format!("zdt-{}-{name}", std::process::id());
        let _ = docker(&["rm", "-f", &name]);
        let mut cmd: Vec<&str> = if start { vec!["run", "-d"] } else { vec!["create"] };
        cmd.extend(["--name", &name]);
        cmd.extend(args);
        cmd.push(image);
        docker_ok(&cmd);
        Scenario { name }
    }
}

impl Drop for Scenario {
    fn drop(&mut self) {
        let _ = docker(&["rm", "-f", "-v", &self.name]);
    }
}

/// The `zerodock` binary under test, pointed at the test engine.
pub fn zerodock() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_zerodock"));
    cmd.env("DOCKER_HOST", docker_host()).env("NO_COLOR", "1").env_remove("DOCKER_CONTEXT");
    cmd
}

/// Runs `zerodock scan --format json` (plus `extra`) and parses the report.
pub fn scan_json(extra: &[&str]) -> (serde_json::Value, Output) {
    let out = zerodock().args(["scan", "--format", "json"]).args(extra).output().expect("zerodock runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("scan output is not JSON ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (report, out)
}

/// The finding of check `code` about target `name` in a JSON report.
pub fn finding<'a>(report: &'a serde_json::Value, code: &str, name: &str) -> &'a serde_json::Value {
    let check = report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == code)
        .unwrap_or_else(|| panic!("no check {code}"));
    check["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["target"]["name"] == name)
        .unwrap_or_else(|| panic!("{code} has no finding for {name}: {}", check["findings"]))
}

/// Writes `text` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write file");
    path
}

/// Text with all whitespace (and the zero-width spaces the PDF adds to wrap long names) removed,
/// so a name wrapped across lines by the layout still matches.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace() && *c != '\u{200b}' && *c != '\u{ad}').collect()
}

/// The text of a PDF, read back with `pdftotext` (poppler-utils).
pub fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext runs (poppler-utils: cargo xtask deps)");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The names of the entries of `dir`, sorted.
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}
