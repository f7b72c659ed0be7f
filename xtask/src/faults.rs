//! Faults against a real engine that only a private dockerd of the test's own can stage: the
//! daemon restarted under a running watcher — the engine's (what `zerodock watch` runs) and the
//! tray process's (what the app runs). (A slow or dying engine is staged with the recording proxy
//! in the root package's end-to-end tests and `crates/tray/tests/tray_faults.rs`.)

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use zerodock_engine::collect::watch::{self, WatchConfig, WatchUpdate};
use zerodock_engine::{CollectOptions, Status};

use crate::dockerd::{self, Dockerd};
use crate::remediation::engine_available;
use crate::scenario::Scenarios;

/// The next update that `want` accepts, within `limit` (other updates are skipped).
async fn next_matching(
    updates: &mut tokio::sync::mpsc::Receiver<WatchUpdate>,
    limit: Duration,
    what: &str,
    mut want: impl FnMut(&WatchUpdate) -> bool,
) -> WatchUpdate {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, updates.recv()).await {
            Ok(Some(update)) if want(&update) => return update,
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watcher ended while waiting for {what}"),
            Err(_) => panic!("no {what} within {}s", limit.as_secs()),
        }
    }
}

/// The tray process (`zerodock-tray`, which `cargo test --workspace` builds beside this test's
/// binary) on a private home, watching `host`, with a subscribed socket client whose states arrive
/// on `states` stamped with when they came. Killed on drop (after a socket `quit`).
struct Tray {
    child: Child,
    dir: PathBuf,
    socket: PathBuf,
    states: mpsc::Receiver<(Instant, serde_json::Value)>,
}

impl Tray {
    fn start(host: &str) -> Tray {
        // target/debug/deps/xtask-… → target/debug/zerodock-tray
        let exe = std::env::current_exe().expect("test binary");
        let bin = exe.parent().and_then(Path::parent).map(|d| d.join("zerodock-tray")).expect("target dir");
        assert!(
            bin.exists(),
            "{} is missing: `cargo build -p zerodock-tray` (`cargo xtask test` builds it with the workspace)",
            bin.display()
        );
        let dir = std::env::temp_dir().join(format!("zerodock-faults-tray-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = dir.join("config/dev.zerodock.desktop");
        std::fs::create_dir_all(&config).expect("config dir");
        // A 1 h interval: the only rescan after the restart is the reconnect's.
        std::fs::write(config.join("settings.json"), r#"{"rescan_interval_secs": 3600}"#).expect("settings");
        let run = dir.join("run");
        std::fs::create_dir_all(&run).expect("runtime dir");
        std::fs::set_permissions(&run, std::os::unix::fs::PermissionsExt::from_mode(0o700)).expect("chmod");
        let log = std::fs::File::create(dir.join("tray.log")).expect("log");
        let child = Command::new(&bin)
            .env("DOCKER_HOST", host)
            .env_remove("DOCKER_CONTEXT")
            .env("HOME", &dir)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_DATA_HOME", dir.join("data"))
            .env("XDG_CACHE_HOME", dir.join("cache"))
            .env("XDG_RUNTIME_DIR", &run)
            .env("RUST_LOG", "zerodock_tray=debug,warn")
            // GTK's accessibility bridge (the XEmbed fallback) would start AT-SPI services on the bus.
            .env("NO_AT_BRIDGE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start zerodock-tray");
        let socket = run.join("zerodock/tray.sock");
        let deadline = Instant::now() + Duration::from_secs(30);
        let stream = loop {
            match UnixStream::connect(&socket) {
                Ok(stream) => break stream,
                Err(e) => {
                    assert!(Instant::now() < deadline, "the tray's socket: {e}");
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        };
        let mut writer = stream.try_clone().expect("clone");
        writer.write_all(b"{\"id\":1,\"request\":{\"type\":\"subscribe\"}}\n").expect("subscribe");
        let (tx, states) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let Ok(message) = serde_json::from_str::<serde_json::Value>(&line) else { continue };
                if message["type"] == "state" && tx.send((Instant::now(), message["state"].clone())).is_err()
                {
                    break;
                }
            }
        });
        Tray { child, dir, socket, states }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tray.log")).unwrap_or_default()
    }

    /// The next state `want` accepts and when it came, within a deadline only a hang reaches.
    fn state(
        &self,
        what: &str,
        mut want: impl FnMut(&serde_json::Value) -> bool,
    ) -> (Instant, serde_json::Value) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.states.recv_timeout(left) {
                Ok((at, state)) if want(&state) => return (at, state),
                Ok(_) => {}
                Err(e) => panic!("no tray state with {what}: {e}\ntray log:\n{}", self.log()),
            }
        }
    }
}

impl Drop for Tray {
    fn drop(&mut self) {
        if let Ok(mut stream) = UnixStream::connect(&self.socket) {
            let _ = stream.write_all(b"{\"id\":9,\"request\":{\"type\":\"quit\"}}\n");
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline && matches!(self.child.try_wait(), Ok(None)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A complete report in a tray state: the engine read, not scanning.
fn complete(state: &serde_json::Value) -> bool {
    state["engine"]["state"] == "connected"
        && state["scanning"] == false
        && !state["report"]["subject"]["engine"].is_null()
}

/// Whether the tray state's report fails CTR001 on `name`.
fn fails_privileged(state: &serde_json::Value, name: &str) -> bool {
    state["report"]["checks"].as_array().into_iter().flatten().filter(|c| c["id"] == "CTR001").any(|c| {
        c["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["target"]["name"] == name && f["status"] == "fail")
    })
}

#[test]
fn the_watchers_reconnect_after_a_dockerd_restart_and_report_nothing_new() {
    if !engine_available("the_watchers_reconnect_after_a_dockerd_restart_and_report_nothing_new") {
        return;
    }
    let sc = Scenarios::load().expect("scenarios.toml");
    let mut cfg = dockerd::Config {
        name: "faults-restart".to_owned(),
        dir: dockerd::base_dir().join("faults-restart"),
        bridge: Some(("zd-faults".to_owned(), "10.213.7.1/24".to_owned())),
        ..Default::default()
    };
    let daemon = Dockerd::start(&cfg).expect("private dockerd");
    let cli = daemon.cli().expect("docker cli");
    sc.build_scratch(&cli, &daemon.dir().join("build")).expect("the scratch image");
    // A failure present before and after the restart: it must not be "new" after the reconnect.
    cli.run(["create", "--privileged", "--name", "zd-fault-privileged", sc.scratch.tag.as_str()])
        .expect("docker create");
    let host = daemon.host();

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("runtime");
    let mut restarted: Option<Dockerd> = None;
    runtime.block_on(async {
        let opts = CollectOptions::with_host(Some(&host)).expect("endpoint");
        let (handle, mut updates) = watch::spawn(WatchConfig::new(opts));
        let first = next_matching(&mut updates, Duration::from_secs(120), "a first evaluation", |u| {
            matches!(u, WatchUpdate::Evaluated { .. })
        })
        .await;
        let WatchUpdate::Evaluated { report, .. } = first else { unreachable!() };
        assert_eq!(
            report.check("CTR001").map(|c| c.status),
            Some(Status::Fail),
            "the privileged container fails"
        );
        // The app's watcher: the tray process, its first complete state before the restart.
        let tray = tokio::task::block_in_place(|| Tray::start(&host));
        let (_, before) = tokio::task::block_in_place(|| tray.state("a first complete report", complete));
        assert!(fails_privileged(&before, "zd-fault-privileged"), "{}", before["report"]["checks"]);
        let scanned_before = before["report"]["generated_at"].clone();

        tokio::task::block_in_place(|| daemon.stop().expect("stop dockerd"));
        next_matching(&mut updates, Duration::from_secs(60), "an engine-down notice", |u| {
            matches!(u, WatchUpdate::EngineDown { .. })
        })
        .await;
        let (_, down) = tokio::task::block_in_place(|| {
            tray.state("the engine unreachable", |s| s["engine"]["state"] == "unreachable")
        });
        assert!(down["engine"]["message"].as_str().is_some_and(|m| !m.is_empty()), "says why: {down}");
        // Stay down long enough for the backoff to reach its cap.
        tokio::time::sleep(Duration::from_secs(8)).await;

        cfg.keep_data = true;
        let again = tokio::task::block_in_place(|| Dockerd::start(&cfg).expect("dockerd starts again"));
        let answering = Instant::now();
        restarted = Some(again);
        let next =
            next_matching(&mut updates, Duration::from_secs(60), "an evaluation after the restart", |u| {
                matches!(u, WatchUpdate::Evaluated { .. })
            })
            .await;
        // A figure, not an assertion (timings are measured, never asserted): the backoff cap is
        // what bounds it (collect::watch, 4 s).
        eprintln!("watcher: next evaluation {:.1?} after the engine answered again", answering.elapsed());
        let WatchUpdate::Evaluated { report, new_failures, .. } = next else { unreachable!() };
        assert_eq!(
            report.check("CTR001").map(|c| c.status),
            Some(Status::Fail),
            "the report is complete again"
        );
        assert!(report.subject.engine.is_some(), "the engine was read");
        assert!(
            new_failures.is_empty(),
            "a reconnect is not news: nothing failed that had not failed before: {new_failures:?}"
        );
        handle.stop();

        // The tray: its next complete state is a new report (the reconnect's rescan).
        let (at, after) = tokio::task::block_in_place(|| {
            tray.state("a complete report after the restart", |s| {
                complete(s) && s["report"]["generated_at"] != scanned_before
            })
        });
        eprintln!(
            "tray: complete state {:.1?} after the engine answered again",
            at.saturating_duration_since(answering)
        );
        assert!(fails_privileged(&after, "zd-fault-privileged"), "the report is complete again");
        let log = tray.log();
        let evaluated: Vec<&str> = log.lines().filter(|l| l.contains("evaluated (")).collect();
        assert!(evaluated.iter().any(|l| l.contains("evaluated (reconnected)")), "{log}");
        assert!(
            evaluated.iter().all(|l| l.contains(", 0 new high/critical")),
            "a reconnect notifies nothing: {evaluated:#?}"
        );
        drop(tray);
    });
    if let Some(daemon) = restarted {
        daemon.stop().expect("stop dockerd");
    }
}
