//! The watcher against the live engine: an engine event (a container started with the Docker
//! socket mounted) turns into a new verdict within seconds, not at the next interval; pausing stops
//! that; "Scan now" still works; and everything it sends the engine is a GET (`/events` included).

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{Scenario, proxy::Proxy};
use tokio::sync::mpsc::Receiver;
use zerodock_engine::collect::watch::{self, Trigger, WatchConfig, WatchUpdate};
use zerodock_engine::{CollectOptions, NewFailure, Report, Status};

/// The next evaluated report, skipping progress and other updates.
async fn next_report(rx: &mut Receiver<WatchUpdate>, within: Duration) -> Option<(Arc<Report>, Trigger)> {
    next_evaluation(rx, within).await.map(|(report, trigger, _)| (report, trigger))
}

/// The next evaluation with the failures the watcher calls new.
async fn next_evaluation(
    rx: &mut Receiver<WatchUpdate>,
    within: Duration,
) -> Option<(Arc<Report>, Trigger, Vec<NewFailure>)> {
    tokio::time::timeout(within, async {
        loop {
            match rx.recv().await {
                Some(WatchUpdate::Evaluated { report, trigger, new_failures }) => {
                    return Some((report, trigger, new_failures));
                }
                Some(_) => {}
                None => return None,
            }
        }
    })
    .await
    .ok()
    .flatten()
}

fn fails(report: &Report, code: &str, container: &str) -> bool {
    report
        .check(code)
        .is_some_and(|c| c.findings.iter().any(|f| f.target.name == container && f.status == Status::Fail))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_drive_new_verdicts_and_every_request_is_a_get() {
    common::ensure_image();
    let dir = common::tempdir("watch");
    let proxy = Proxy::start(&dir, &common::socket_path(), None);
    let mut collect = CollectOptions::with_host(Some(&proxy.host())).expect("endpoint");
    collect.timeout = Duration::from_secs(10);
    let mut config = WatchConfig::new(collect);
    config.interval = Duration::from_secs(3600); // only events may trigger the rescan below
    let (handle, mut rx) = watch::spawn(config);

    let (first, trigger, new) =
        next_evaluation(&mut rx, Duration::from_secs(60)).await.expect("first report");
    assert_eq!(trigger, Trigger::Startup);
    assert!(new.is_empty(), "the first report's failures are not news: {new:?}");
    assert!(first.subject.engine.is_some(), "engine reachable: {:?}", first.subject.engine_unavailable);
    // Let the event subscription settle before causing events.
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The test engine's own socket: a host path that exists (docker would create a missing one as
    // an empty directory on the host).
    let sock_mount = format!("{}:/var/run/docker.sock", common::socket_path().display());
    let sock = Scenario::new("watch-sock", true, &["-v", &sock_mount]);
    let mut seen = None;
    while let Some((report, trigger, new)) = next_evaluation(&mut rx, Duration::from_secs(15)).await {
        if fails(&report, "CTR003", &sock.name) {
            seen = Some((report, trigger, new));
            break;
        }
    }
    let (report, trigger, new) = seen.expect("the socket mount was judged after the engine's events");
    assert!(
        matches!(trigger, Trigger::Event { ref description } if description.contains("container")),
        "{trigger:?}"
    );
    // The watcher's own rule (the one `zerodock watch` and the tray use) calls it new.
    assert!(new.iter().any(|n| n.check == "CTR003" && n.target.name == sock.name), "{new:?}");
    assert_eq!(report.posture(), zerodock_engine::Posture::Critical);

    // Paused: events are ignored…
    handle.set_paused(true);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let quiet = Scenario::new("watch-quiet", false, &["--privileged"]);
    let during_pause = next_report(&mut rx, Duration::from_secs(2)).await;
    assert!(during_pause.is_none(), "no rescan while paused");
    // …but Scan now still scans, and sees what happened meanwhile.
    handle.rescan();
    let (report, trigger) = next_report(&mut rx, Duration::from_secs(30)).await.expect("manual rescan");
    assert_eq!(trigger, Trigger::Manual);
    assert!(fails(&report, "CTR001", &quiet.name));
    handle.set_paused(false);

    handle.stop();
    drop((sock, quiet));
    let requests = proxy.requests();
    assert!(requests.iter().any(|r| r.starts_with("GET ") && r.contains("/events")), "{requests:?}");
    let writes: Vec<&String> =
        requests.iter().filter(|r| !r.starts_with("GET ") && !r.starts_with("HEAD ")).collect();
    assert!(writes.is_empty(), "the watcher only reads: {writes:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// *Accept risk…* in the tray: a policy change makes the watcher judge again at once (not at the
/// next event or interval), against the live engine, and the finding comes out waived; taking the
/// waiver back makes it fail again. The policy is written by the engine's own editor (the code
/// `zerodock waive` and the tray run).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_policy_change_is_judged_again_at_once() {
    use zerodock_engine::evaluate::Policy;
    use zerodock_engine::evaluate::waiver::edit;
    common::ensure_image();
    let privileged = Scenario::new("watch-waive", false, &["--privileged"]); // created: judged, never run
    let mut collect = CollectOptions::with_host(Some(common::docker_host())).expect("endpoint");
    collect.timeout = Duration::from_secs(10);
    let mut config = WatchConfig::new(collect);
    config.interval = Duration::from_secs(3600);
    let (handle, mut rx) = watch::spawn(config);
    let waived = |report: &Report| {
        report
            .check("CTR001")
            .and_then(|c| c.findings.iter().find(|f| f.target.name == privileged.name))
            .map(|f| (f.status, f.waived.as_ref().map(|w| w.reason.clone())))
    };
    let (first, _) = next_report(&mut rx, Duration::from_secs(60)).await.expect("first report");
    assert_eq!(waived(&first), Some((Status::Fail, None)));

    let request = edit::WaiverRequest {
        check: "privileged-container".into(),
        target: Some(privileged.name.clone()),
        reason: "live test: accepted".into(),
        by: Some("tester".into()),
        expires: None,
    };
    let (text, _) = edit::waive("# live test\n", &request, chrono::Utc::now().date_naive()).expect("waive");
    handle.set_policy(Some(Policy::from_toml(&text).expect("policy")));
    // The other test of this file starts containers: skip reports its events caused.
    let judged = loop {
        let (report, trigger) = next_report(&mut rx, Duration::from_secs(30)).await.expect("judged again");
        if trigger == Trigger::PolicyChanged {
            break report;
        }
    };
    assert_eq!(waived(&judged), Some((Status::Fail, Some("live test: accepted".to_owned()))));
    assert!(judged.waivers.iter().any(|u| u.check == "CTR001" && u.matched == 1), "{:?}", judged.waivers);

    handle.set_policy(None);
    let back = loop {
        let (report, trigger) = next_report(&mut rx, Duration::from_secs(30)).await.expect("judged again");
        if trigger == Trigger::PolicyChanged {
            break report;
        }
    };
    assert_eq!(waived(&back), Some((Status::Fail, None)), "the waiver taken back");
    handle.stop();
    drop(privileged);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_engine_is_reported_and_retried() {
    let dir = common::tempdir("watch-down");
    let host = format!("unix://{}", dir.join("nothing.sock").display());
    let mut collect = CollectOptions::with_host(Some(&host)).expect("endpoint");
    collect.timeout = Duration::from_secs(2);
    collect.host_facts = false;
    let (handle, mut rx) = watch::spawn(WatchConfig::new(collect));
    let mut down = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while down.len() < 2 {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(WatchUpdate::EngineDown { reason, retry_in })) => down.push((reason, retry_in)),
            Ok(Some(WatchUpdate::Evaluated { report, .. })) => {
                assert!(report.subject.engine_unavailable.is_some(), "a report still comes out, saying why");
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    assert!(down.len() >= 2, "it keeps retrying: {down:?}");
    assert!(down[0].0.contains("nothing.sock"), "names the endpoint: {}", down[0].0);
    assert!(down[1].1 > down[0].1, "backoff grows: {down:?}");
    handle.stop();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_cli_watch_names_a_new_critical_failure() {
    use std::io::{BufRead, BufReader};
    common::ensure_image();
    let once = common::zerodock().args(["watch", "--count", "1"]).output().expect("zerodock watch runs");
    assert!(once.status.success(), "--count 1 ends the watch with 0: {once:?}");
    assert!(String::from_utf8_lossy(&once.stdout).contains("/100"), "{once:?}");

    let mut child = common::zerodock()
        .args(["watch", "--format", "json", "--interval", "3600"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("zerodock watch starts");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first: serde_json::Value =
        serde_json::from_str(&lines.next().expect("a first line").expect("read")).expect("JSON line");
    assert_eq!(first["event"], "evaluated");
    assert_eq!(first["trigger"], "startup");
    std::thread::sleep(Duration::from_millis(500)); // the event subscription is up
    let privileged = Scenario::new("cli-watch", false, &["--privileged"]);
    // Other tests of this binary create containers too: read evaluations until ours is named.
    let mut found = None;
    for _ in 0..10 {
        let line: serde_json::Value =
            serde_json::from_str(&lines.next().expect("another line").expect("read")).expect("JSON");
        let new = line["new_failures"].as_array().cloned().unwrap_or_default();
        if new.iter().any(|n| n["check"] == "CTR001" && n["target"]["name"] == privileged.name.as_str()) {
            found = Some(line);
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let line = found.expect("an evaluation names the new privileged container");
    assert!(line["trigger"].as_str().is_some_and(|t| t.contains("container")), "{line}");
    assert_eq!(line["posture"], "critical");
}
