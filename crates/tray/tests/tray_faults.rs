//! The tray process against a hung engine (issue 13): `target/debug/zerodock-tray` (built with
//! `test-hooks` by this package's tests) watches the test engine through the recording proxy of
//! the root package's tests (`tests/common/proxy.rs`), which never answers
//! `GET /containers/json`. The tray answers its socket while the scan waits, the report that comes
//! after the call timeout names the call and the limit, Scan now reads the containers once the
//! engine answers again without notifying what was only unread, a hung `GET /version` is named
//! and recovered from by itself, and Quit ends the tray while a scan hangs. (A dockerd restarted under the tray is `xtask/src/faults.rs`: it needs a private dockerd.)
//!
//! Run as `cargo xtask test` does:
//! ```sh
//! ZERODOCK_TEST_DOCKER_HOST=unix:///tmp/zerodock-test/test/docker.sock \
//!   xvfb-run -a dbus-run-session -- cargo test -p zerodock-tray --test tray_faults
//! ```

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[allow(dead_code)] // the tray's tests use only the stalling proxy
#[path = "../../../tests/common/proxy.rs"]
mod proxy;

mod common;
use common::{Bus, Client, scratch_image};

/// The tray's call timeout (the engine's default, `CollectOptions`): what a hung call costs.
const CALL_TIMEOUT_SECS: u64 = 15;

/// The test's private home, its container and the tray; all removed on drop.
struct Home {
    dir: PathBuf,
    docker_host: String,
    container: String,
    tray: Option<Child>,
}

impl Drop for Home {
    fn drop(&mut self) {
        if let Some(mut tray) = self.tray.take() {
            let _ = tray.kill();
            let _ = tray.wait();
        }
        let _ = docker(&self.docker_host, &["rm", "-f", &self.container]);
        if std::env::var_os("ZD_KEEP").is_none() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

impl Home {
    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tray.log")).unwrap_or_default()
    }

    /// Polls `probe` until it gives a value, failing after `within` (a deadline only a hang reaches).
    fn wait<T>(&self, what: &str, within: Duration, mut probe: impl FnMut() -> Option<T>) -> T {
        let deadline = Instant::now() + within;
        loop {
            if let Some(v) = probe() {
                return v;
            }
            assert!(Instant::now() < deadline, "no {what} within {within:?}\ntray log:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn docker(host: &str, args: &[&str]) -> std::process::Output {
    Command::new("docker").arg("-H").arg(host).args(args).output().expect("docker CLI")
}

fn check<'a>(state: &'a Value, code: &str) -> &'a Value {
    let checks = state["report"]["checks"].as_array().expect("checks");
    checks.iter().find(|c| c["id"] == code).unwrap_or_else(|| panic!("{code} in the report"))
}

#[test]
fn a_hung_engine_call_leaves_the_tray_responsive_named_and_quittable() {
    let docker_host = std::env::var("ZERODOCK_TEST_DOCKER_HOST").unwrap_or_else(|_| {
        panic!(
            "ZERODOCK_TEST_DOCKER_HOST is not set: `cargo xtask scenario up --daemon test` and export \
             ZERODOCK_TEST_DOCKER_HOST=unix:///tmp/zerodock-test/test/docker.sock"
        )
    });
    let upstream = PathBuf::from(docker_host.strip_prefix("unix://").expect("a unix socket engine"));
    let dir = std::env::temp_dir().join(format!("zerodock-tray-faults-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = dir.join("config/dev.zerodock.desktop");
    std::fs::create_dir_all(&config).expect("config dir");
    // A 1 h interval: every scan below is the test's doing.
    std::fs::write(config.join("settings.json"), r#"{"rescan_interval_secs": 3600}"#).expect("settings");
    let run = dir.join("run");
    std::fs::create_dir_all(&run).expect("runtime dir");
    std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
    let container = format!("zd-tray-hung-{}", std::process::id());
    let mut home = Home { dir: dir.clone(), docker_host: docker_host.clone(), container, tray: None };
    let _ = docker(&docker_host, &["rm", "-f", &home.container]);
    // A failure that is there before, during and after the hang (created, never started).
    let out = docker(&docker_host, &["create", "--privileged", "--name", &home.container, scratch_image()]);
    assert!(out.status.success(), "docker create: {}", String::from_utf8_lossy(&out.stderr));

    let bus = Bus::start();
    let proxy = proxy::Proxy::stalling(&dir, &upstream, "/containers/json");
    let log = std::fs::File::create(dir.join("tray.log")).expect("log");
    let tray = Command::new(env!("CARGO_BIN_EXE_zerodock-tray"))
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("DOCKER_HOST", proxy.host())
        .env_remove("DOCKER_CONTEXT")
        .env("HOME", &dir)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .env("XDG_RUNTIME_DIR", &run)
        .env(zerodock_tray::testhook::ENV, dir.join("state.jsonl"))
        .env("RUST_LOG", "zerodock_tray=debug,warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start zerodock-tray");
    home.tray = Some(tray);
    let socket = run.join("zerodock/tray.sock");
    let listed = |p: &proxy::Proxy| p.requests().iter().filter(|r| r.contains("/containers/json")).count();
    home.wait("a hung container list", Duration::from_secs(30), || {
        (listed(&proxy) > 0 && socket.exists()).then_some(())
    });

    // 1. While the engine hangs on the list, the tray answers: the state (still scanning, no
    //    report: the hung call has its full limit) and another request.
    let mut client = Client::connect(&socket, Duration::from_secs(120));
    let (states, subscribed) = client.ask(json!({"type": "subscribe"}));
    assert_eq!(subscribed, Ok(Value::Null));
    let during = states.last().expect("the state before the reply");
    assert!(during["report"].is_null() && during["scanning"] == true, "answered mid-hang: {during}");
    let (_, engines) = client.ask(json!({"type": "engines"}));
    assert!(engines.is_ok(), "{engines:?}");

    // 2. After the call timeout the report comes: the engine answered the rest, the container
    //    checks are unknown, and the report names the hung call and its limit.
    let hung = client.state_until(|s| !s["report"].is_null() && s["scanning"] == false);
    assert_eq!(hung["engine"]["state"], "connected", "{}", hung["engine"]);
    let ctr001 = check(&hung, "CTR001");
    assert_eq!(ctr001["status"], "unknown", "{ctr001}");
    assert!(ctr001.to_string().contains("GET /containers/json"), "the verdict says why: {ctr001}");
    let notes = hung["report"]["notes"].to_string();
    let limit = format!("within {CALL_TIMEOUT_SECS} s");
    assert!(notes.contains("`GET /containers/json`") && notes.contains(&limit), "{notes}");

    // 3. The engine answers again: Scan now reads the containers; the privileged one fails, and
    //    it is not notified (it was there all along, only unread).
    proxy.answer_again();
    let (_, scan) = client.ask(json!({"type": "scan_now"}));
    assert_eq!(scan, Ok(Value::Null));
    let name = home.container.clone();
    let read = client.state_until(|s| {
        s["scanning"] == false
            && !s["report"].is_null()
            && check(s, "CTR001")["findings"]
                .as_array()
                .is_some_and(|fs| fs.iter().any(|f| f["target"]["name"] == name.as_str()))
    });
    assert_eq!(check(&read, "CTR001")["status"], "fail");
    let state_file = std::fs::read_to_string(dir.join("state.jsonl")).unwrap_or_default();
    let notified: Vec<&str> = state_file.lines().filter(|l| l.contains("\"notification\"")).collect();
    assert!(!notified.iter().any(|l| l.contains(&name)), "only unread before, not news: {notified:?}");
    assert!(home.log().contains("evaluated (manual)"), "{}", home.log());

    // 4. A hung `GET /version` (the first call of every scan): the tray still answers, then says
    //    the engine is unreachable naming that call and its limit, and once the engine answers
    //    again it reconnects by itself (no Scan now asked for).
    proxy.stall_again("/version");
    let (_, scan) = client.ask(json!({"type": "scan_now"}));
    assert_eq!(scan, Ok(Value::Null));
    let (_, engines) = client.ask(json!({"type": "engines"}));
    assert!(engines.is_ok(), "answered while /version hangs: {engines:?}");
    let down = client.state_until(|s| s["engine"]["state"] == "unreachable");
    let why = down["engine"]["message"].to_string();
    assert!(why.contains("`GET /version`") && why.contains(&limit), "{}", down["engine"]);
    proxy.answer_again();
    let back = client.state_until(|s| {
        s["engine"]["state"] == "connected" && s["scanning"] == false && !s["report"].is_null()
    });
    assert_eq!(check(&back, "CTR001")["status"], "fail", "the next report is complete");

    // 5. Quit while a scan hangs: the tray ends at once, its socket removed.
    proxy.stall_again("/containers/json");
    let before = listed(&proxy);
    let (_, scan) = client.ask(json!({"type": "scan_now"}));
    assert_eq!(scan, Ok(Value::Null));
    home.wait("the next list call to hang", Duration::from_secs(30), || {
        (listed(&proxy) > before).then_some(())
    });
    // Answered before the tray exits (it used to end before writing the reply: the asker saw EOF).
    let (_, quit) = client.ask(json!({"type": "quit"}));
    assert_eq!(quit, Ok(Value::Null), "the quit is answered");
    let mut tray = home.tray.take().expect("tray");
    let status = home.wait("the tray to exit", Duration::from_secs(10), || tray.try_wait().ok().flatten());
    assert!(status.success(), "{status}\n{}", home.log());
    assert!(!socket.exists(), "the socket is removed");
    drop(client);
    drop(proxy);
    drop(home);
    drop(bus);
}
