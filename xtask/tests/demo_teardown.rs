//! `cargo xtask run --demo` tears its demo daemon down however the run ends: SIGTERM, SIGHUP or
//! SIGINT to the xtask, or the app dying of a signal. Each case starts the real demo daemon (root,
//! dockerd, ~15 s with its scenarios) under a private `ZERODOCK_TEST_DIR` with a stand-in app
//! (no display needed). The cases run one at a time (they share the `default` daemon's bridge
//! `zd-default`, so no `scenario up` of that daemon may run meanwhile), ~9 s each. They need root
//! and dockerd: without them they say why and return, except under `CI=true` (or
//! `ZERODOCK_TEST_REQUIRE_ENGINE=1`), where that is a failure, as for every live test.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| s.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().next() != Some("Z")))
        .unwrap_or(false)
}

fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Every process whose command line names `dir` (the daemon, its containerd, the shims).
fn processes_under(dir: &Path) -> Vec<u32> {
    let needle = format!("{}/", dir.display());
    std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).replace('\0', " ").contains(&needle))
        })
        .collect()
}

/// One case at a time: every case starts the `default` demo daemon on the same bridge.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Whether this machine can start the demo daemon (root and dockerd); under CI it must.
fn can_start_dockerd() -> bool {
    let root =
        Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let dockerd = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("dockerd").is_file()));
    if root && dockerd {
        return true;
    }
    let why = if root { "no dockerd on PATH" } else { "not root" };
    let required = std::env::var("CI").is_ok_and(|v| v == "true")
        || std::env::var("ZERODOCK_TEST_REQUIRE_ENGINE").is_ok_and(|v| v == "1");
    assert!(!required, "the demo teardown test must run here, but {why}");
    eprintln!("skipping: the demo teardown needs root and dockerd ({why})");
    false
}

/// Starts the demo with `app`, waits until the app runs, applies `end` to the xtask's pid, and
/// checks the exit code and that nothing of the daemon is left.
fn case(tag: &str, app: &str, end: impl FnOnce(u32), expected_code: i32) {
    if !can_start_dockerd() {
        return;
    }
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let base = std::env::temp_dir().join(format!("zd-demo-teardown-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).expect("base");
    let started = base.join("app-started");
    let app = app.replace("{started}", &started.display().to_string());
    let mut xtask = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["run", "--demo", "--stand-in-app", &app])
        .env("ZERODOCK_TEST_DIR", &base)
        .stdin(Stdio::null())
        .spawn()
        .expect("xtask");
    let dir: PathBuf = base.join("default");
    wait_for("the stand-in app", Duration::from_secs(240), || started.exists());
    let dockerd: u32 = std::fs::read_to_string(dir.join("dockerd.pid"))
        .expect("dockerd pid")
        .trim()
        .parse()
        .expect("pid number");
    assert!(alive(dockerd), "the demo daemon runs while the app does");
    assert!(Path::new("/sys/class/net/zd-default").exists(), "its bridge exists");

    end(xtask.id());
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = xtask.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "xtask did not end");
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(status.code(), Some(expected_code), "{tag}: xtask's exit");
    assert!(!alive(dockerd), "{tag}: dockerd {dockerd} is gone");
    assert_eq!(processes_under(&dir), Vec::<u32>::new(), "{tag}: no containerd, shim or container left");
    assert!(!Path::new("/sys/class/net/zd-default").exists(), "{tag}: its bridge is deleted");
    assert!(!dir.exists(), "{tag}: its directory is removed");
    std::fs::remove_dir_all(&base).expect("cleanup");
}

fn kill(pid: u32, signal: &str) {
    let ok = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status();
    assert!(ok.is_ok_and(|s| s.success()), "kill -{signal} {pid}");
}

const WAITING_APP: &str = "touch {started}; exec sleep 600";

#[test]
fn sigterm_to_the_xtask_stops_the_demo_daemon() {
    case("term", WAITING_APP, |pid| kill(pid, "TERM"), 143);
}

#[test]
fn sighup_to_the_xtask_stops_the_demo_daemon() {
    case("hup", WAITING_APP, |pid| kill(pid, "HUP"), 129);
}

#[test]
fn sigint_to_the_xtask_stops_the_demo_daemon() {
    case("int", WAITING_APP, |pid| kill(pid, "INT"), 130);
}

#[test]
fn the_app_dying_of_a_signal_stops_the_demo_daemon() {
    // What an app whose display went away looks like from here: it ends on its own, abnormally.
    case("app-killed", "touch {started}; sleep 2; kill -KILL $$", |_| {}, 137);
}
