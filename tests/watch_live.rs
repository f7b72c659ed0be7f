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

/// A watcher of the test engine through `proxy`, each call bounded by `timeout`, rescanning only
/// on events (an hour's interval: nothing else explains a change within the test).
fn watch_through(proxy: &Proxy, timeout: Duration) -> (watch::WatchHandle, Receiver<WatchUpdate>) {
    let mut collect = CollectOptions::with_host(Some(&proxy.host())).expect("endpoint");
    collect.timeout = timeout;
    let mut config = WatchConfig::new(collect);
    config.interval = Duration::from_secs(3600);
    watch::spawn(config)
}

/// The first report and the first engine-down notice, in whichever order they come; a hang
/// (nothing by `deadline`) fails the test.
async fn first_report_and_down(
    rx: &mut Receiver<WatchUpdate>,
    deadline: tokio::time::Instant,
) -> (Arc<Report>, String) {
    let (mut report, mut down) = (None, None);
    while report.is_none() || down.is_none() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(WatchUpdate::Evaluated { report: r, .. })) if report.is_none() => report = Some(r),
            Ok(Some(WatchUpdate::EngineDown { reason, .. })) if down.is_none() => down = Some(reason),
            Ok(Some(_)) => {}
            Ok(None) => panic!("the watcher ended"),
            Err(_) => panic!("hung: a report {:?}, an engine-down notice {down:?}", report.is_some()),
        }
    }
    (report.expect("report"), down.expect("down"))
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

/// Issue 13, a hung engine under the watcher: the recording proxy never answers
/// `GET /containers/json`. The scan is bounded by the call timeout and a report still comes: what
/// answered is judged, the container checks are unknown and a note names the call and the limit.
/// Once the engine answers again, Scan now reads the containers, and the failures it finds are not
/// news (they were there all along, only unread).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_call_is_bounded_named_and_read_again_once_answered() {
    common::ensure_image();
    let privileged = Scenario::new("watch-stall", false, &["--privileged"]); // created: judged, never run
    let dir = common::tempdir("watch-stall");
    let proxy = Proxy::stalling(&dir, &common::socket_path(), "/containers/json");
    let (handle, mut rx) = watch_through(&proxy, Duration::from_secs(2));

    // A generous deadline only a hang reaches (the figure is the 2 s call timeout).
    let (first, trigger, _) =
        next_evaluation(&mut rx, Duration::from_secs(60)).await.expect("a report despite the hung call");
    assert_eq!(trigger, Trigger::Startup);
    assert!(first.subject.engine.is_some(), "what answered was read: {:?}", first.subject.engine_unavailable);
    assert_eq!(first.check("CTR001").map(|c| c.status), Some(Status::Unknown), "unread is unknown");
    let note = first.notes.iter().find(|n| n.contains("`GET /containers/json`"));
    let note = note.unwrap_or_else(|| panic!("a note names the hung call: {:?}", first.notes));
    assert!(note.contains("within 2 s"), "and the limit: {note}");
    assert!(proxy.requests().iter().any(|r| r.contains("/containers/json")), "the call was made");

    proxy.answer_again();
    handle.rescan();
    // The other tests of this file cause events: every evaluation until Scan now's counts.
    let mut news = Vec::new();
    let report = loop {
        let (report, trigger, new) =
            next_evaluation(&mut rx, Duration::from_secs(60)).await.expect("Scan now after the stall");
        news.extend(new);
        if trigger == Trigger::Manual {
            break report;
        }
    };
    assert!(fails(&report, "CTR001", &privileged.name), "read again: {:?}", report.notes);
    assert!(report.notes.iter().all(|n| !n.contains("did not answer")), "{:?}", report.notes);
    assert!(
        !news.iter().any(|n| n.target.name == privileged.name),
        "a failure that was only unread is not news: {news:?}"
    );
    handle.stop();
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 13: the event subscription hangs (`GET /events` never answered). The watcher still
/// scans (the startup report is complete), says the event stream failed naming the call, and
/// subscribes again by itself once the engine answers: a container created then is judged at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_event_stream_is_named_and_subscribed_again() {
    common::ensure_image();
    let dir = common::tempdir("watch-stall-events");
    let proxy = Proxy::stalling(&dir, &common::socket_path(), "/events");
    let (handle, mut rx) = watch_through(&proxy, Duration::from_secs(2));

    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let (complete, down) = first_report_and_down(&mut rx, deadline).await;
    assert_ne!(complete.check("CTR001").map(|c| c.status), Some(Status::Unknown), "scans go on");
    assert!(down.contains("`GET /events`"), "the notice names the hung call: {down}");

    // The engine answers again: the next subscription request goes through.
    let subscriptions = |p: &Proxy| p.requests().iter().filter(|r| r.contains("/events")).count();
    let before = subscriptions(&proxy);
    proxy.answer_again();
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while subscriptions(&proxy) <= before {
        assert!(std::time::Instant::now() < deadline, "never subscribed again");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await; // the engine registers the subscription
    // The rescan that follows a reconnect may list a container created meanwhile before its event
    // is handled: then another one shows whether events flow.
    let mut triggers = Vec::new();
    for attempt in 0..3 {
        let created = Scenario::new(&format!("watch-resubscribed-{attempt}"), false, &[]);
        let trigger = loop {
            let (report, trigger, _) = next_evaluation(&mut rx, Duration::from_secs(60))
                .await
                .expect("an evaluation after the event");
            if report.inventory.containers.iter().any(|c| c.name == created.name) {
                break trigger;
            }
        };
        triggers.push(trigger);
        if matches!(triggers.last(), Some(Trigger::Event { .. })) {
            break;
        }
    }
    assert!(
        matches!(triggers.last(), Some(Trigger::Event { .. })),
        "seen through the new subscription: {triggers:?}"
    );
    handle.stop();
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 13: the engine hangs on its first call (`GET /version`, the API version negotiation):
/// the report says the engine could not be inspected, naming the call and the limit, the watcher's
/// engine-down notice names it too, and once the engine answers the watcher reconnects by itself
/// and reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_first_call_is_named_and_the_watcher_reconnects() {
    let dir = common::tempdir("watch-stall-version");
    let proxy = Proxy::stalling(&dir, &common::socket_path(), "/version");
    let (handle, mut rx) = watch_through(&proxy, Duration::from_secs(2));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let (report, down) = first_report_and_down(&mut rx, deadline).await;
    let why = report.subject.engine_unavailable.clone().unwrap_or_default();
    assert!(why.contains("`GET /version`") && why.contains("within 2 s"), "{why}");
    assert!(down.contains("`GET /version`"), "{down}");

    proxy.answer_again();
    let read = loop {
        let (report, trigger, _) =
            next_evaluation(&mut rx, Duration::from_secs(60)).await.expect("an evaluation once answered");
        if report.subject.engine.is_some() {
            break trigger;
        }
    };
    assert_eq!(read, Trigger::Reconnected, "by itself, not by a rescan asked for");
    handle.stop();
    let _ = std::fs::remove_dir_all(dir);
}

/// Issue 13, a slow engine that does answer: `GET /containers/json` comes a second late, within
/// the call timeout: the report is complete, nothing is unknown for it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_answer_within_the_limit_is_waited_for() {
    common::ensure_image();
    let privileged = Scenario::new("watch-slow", false, &["--privileged"]);
    let dir = common::tempdir("watch-slow");
    let proxy = Proxy::delaying(&dir, &common::socket_path(), "/containers/json", Duration::from_secs(1));
    let (handle, mut rx) = watch_through(&proxy, Duration::from_secs(10));
    let (report, _) = next_report(&mut rx, Duration::from_secs(60)).await.expect("a report");
    assert!(fails(&report, "CTR001", &privileged.name), "{:?}", report.notes);
    assert!(report.notes.iter().all(|n| !n.contains("did not answer")), "{:?}", report.notes);
    handle.stop();
    let _ = std::fs::remove_dir_all(dir);
}

/// Reads a child's stdout lines on a thread, so a test waits for each with a deadline instead of
/// blocking on a child that hangs.
fn line_reader(stdout: std::process::ChildStdout) -> std::sync::mpsc::Receiver<String> {
    use std::io::BufRead;
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next JSON line of `zerodock watch --format json` that `want` accepts, within a generous
/// deadline that only a hang reaches.
fn next_line(
    lines: &std::sync::mpsc::Receiver<String>,
    what: &str,
    mut want: impl FnMut(&serde_json::Value) -> bool,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        let line = lines.recv_timeout(left).unwrap_or_else(|e| panic!("no {what} from zerodock watch: {e}"));
        let value: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
        if want(&value) {
            return value;
        }
    }
}

/// Issue 13, `zerodock watch` on a hung engine: with `GET /containers/json` never answered, each
/// evaluation line still comes, with a note naming the call and the limit, and once the engine
/// answers the next evaluation (an engine event's) reads the containers and calls nothing new
/// that was only unread. With `GET /events` never answered, an `engine_down` line names it.
#[test]
fn the_cli_watch_names_a_stalled_call_and_goes_on() {
    common::ensure_image();
    let privileged = Scenario::new("cli-watch-stall", false, &["--privileged"]);
    let dir = common::tempdir("cli-watch-stall");
    let proxy = Proxy::stalling(&dir, &common::socket_path(), "/containers/json");
    let watch = |host: &str| {
        common::zerodock()
            .args(["watch", "--format", "json", "--interval", "3600", "--timeout", "2", "--host", host])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("zerodock watch starts")
    };
    let mut child = watch(&proxy.host());
    let lines = line_reader(child.stdout.take().expect("stdout"));
    let first = next_line(&lines, "first evaluation", |l| l["event"] == "evaluated");
    let notes = first["notes"].to_string();
    assert!(notes.contains("`GET /containers/json`") && notes.contains("within 2 s"), "{first}");

    proxy.answer_again();
    std::thread::sleep(Duration::from_millis(500)); // the event subscription is up
    let nudge = Scenario::new("cli-watch-nudge", false, &[]); // an event: a scan that reads containers
    let after = next_line(&lines, "an evaluation that read the containers", |l| {
        l["event"] == "evaluated" && !l["notes"].to_string().contains("did not answer")
    });
    assert!(after["trigger"].as_str().is_some_and(|t| t.starts_with("event")), "{after}");
    let new = after["new_failures"].to_string();
    assert!(!new.contains(privileged.name.as_str()), "only unread before, not new: {new}");
    let _ = child.kill();
    let _ = child.wait();
    drop((proxy, nudge));

    let events = Proxy::stalling(&dir, &common::socket_path(), "/events");
    let mut child = watch(&events.host());
    let lines = line_reader(child.stdout.take().expect("stdout"));
    next_line(&lines, "first evaluation", |l| l["event"] == "evaluated");
    let down = next_line(&lines, "an engine_down line", |l| l["event"] == "engine_down");
    assert!(down["reason"].as_str().is_some_and(|r| r.contains("`GET /events`")), "{down}");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(dir);
}
