//! Shared helpers of the end-to-end tests: the live engine they run against, scenario containers
//! that clean up after themselves, the scratch image, and a recording proxy in front of the socket.
#![allow(dead_code)] // each test binary uses a different subset

pub mod proxy;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The planted secret value: it must never appear in any output.
pub const PLANTED_SECRET: &str = "zd-planted-secret-value-7f3a";

/// The scratch image every scenario uses.
pub const IMAGE: &str = "zerodock/busybox:1";

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

/// Imports the scratch image from busybox-static once (nothing can be pulled here).
pub fn ensure_image() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        if docker(&["image", "inspect", IMAGE]).status.success() {
            return;
        }
        let dir = tempdir("rootfs");
        std::fs::create_dir_all(dir.join("bin")).expect("mkdir");
        std::fs::copy("/bin/busybox", dir.join("bin/busybox"))
            .expect("busybox-static is installed (cargo xtask deps)");
        for applet in ["sh", "sleep", "true", "id", "cat", "ls"] {
            std::os::unix::fs::symlink("busybox", dir.join("bin").join(applet)).expect("symlink");
        }
        let status = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "tar -C {} -c . | docker import -c 'CMD [\"sleep\",\"86400\"]' - {IMAGE}",
                dir.display()
            ))
            .env("DOCKER_HOST", docker_host())
            .status()
            .expect("sh runs");
        assert!(status.success(), "docker import of the scratch image failed");
        let _ = std::fs::remove_dir_all(dir);
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
    /// `docker create` (start=false) or `docker run -d` (start=true) of [`IMAGE`] with `args`.
    pub fn new(name: &str, start: bool, args: &[&str]) -> Self {
        Self::with_image(name, start, args, IMAGE)
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
