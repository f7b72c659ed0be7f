//! Unit tests on Tauri's mock runtime with the app's real config and capabilities: every command
//! through the real IPC path (arguments, ACL, error serialisation) and the tray link (the first
//! state, forwarded requests, replies and errors, a notification's focus). The tray end is a
//! stand-in on a private socket that speaks `zerodock_tray::ipc` and records what it was asked;
//! the real tray's side of each request is tested in `crates/tray` (`tests/tray_e2e.rs`).

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager};
use zerodock_engine::{EvalConfig, Report, Snapshot, evaluate};
use zerodock_tray::error::{CommandError, ErrorCode};
use zerodock_tray::ipc::{FindingRef, Request, ToDashboard, ToTray};
use zerodock_tray::model::EngineStatus;

use crate::core::Core;
use crate::state::{AppState, Settings, TrayState};

fn report(fixture: &str) -> Arc<Report> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../crates/engine/tests/fixtures/{fixture}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let snapshot: Snapshot = serde_json::from_str(&text).expect("snapshot");
    Arc::new(evaluate(&snapshot, &EvalConfig::at(snapshot.collected_at)))
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zerodock-desktop-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The tray's side of the socket, answering as the tray does, recording every request.
struct StandIn {
    requests: Receiver<Request>,
    /// Lines to push to the dashboard (states, focus), as the tray does on its own.
    push: Sender<ToDashboard>,
}

fn stand_in(socket: &std::path::Path, state: AppState) -> StandIn {
    let listener = UnixListener::bind(socket).expect("bind");
    let (seen, requests) = channel();
    let (push, pushed) = channel::<ToDashboard>();
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else { return };
        let writer = Arc::new(Mutex::new(stream.try_clone().expect("clone")));
        let out = writer.clone();
        std::thread::spawn(move || {
            for message in pushed {
                let _ = out.lock().expect("lock").write_all(zerodock_tray::ipc::line(&message).as_bytes());
            }
        });
        let mut state = state;
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            let ToTray { id, request } = serde_json::from_str(&line).expect("a request line");
            let _ = seen.send(request.clone());
            let result: Result<Value, CommandError> = match request {
                Request::Subscribe => {
                    let first = ToDashboard::State { state: Box::new(state.clone()) };
                    let _ =
                        writer.lock().expect("lock").write_all(zerodock_tray::ipc::line(&first).as_bytes());
                    Ok(Value::Null)
                }
                Request::ScanNow | Request::OpenDashboard | Request::Quit => Ok(Value::Null),
                Request::ScanImages => Err(CommandError::new(
                    ErrorCode::ScanFailed,
                    "The vulnerability database failed: file is not a database",
                )),
                Request::SetPaused { paused } => {
                    state.paused = paused;
                    Ok(serde_json::to_value(&state).expect("json"))
                }
                Request::UpdateSettings { settings } => {
                    settings.validate().map(|()| serde_json::to_value(&settings).expect("json"))
                }
            };
            let reply = ToDashboard::Reply { id, result };
            let _ = writer.lock().expect("lock").write_all(zerodock_tray::ipc::line(&reply).as_bytes());
        }
    });
    StandIn { requests, push }
}

fn state_with(report: Option<Arc<Report>>) -> AppState {
    AppState {
        tray: TrayState::of(zerodock_tray::model::EngineState::Connected, report.as_deref()),
        report,
        engine: EngineStatus {
            state: zerodock_tray::model::EngineState::Connected,
            ..EngineStatus::connecting("unix:///tmp/zerodock-test/default/docker.sock")
        },
        scanning: false,
        progress: None,
        paused: false,
        settings: Settings::default(),
    }
}

fn app(name: &str, state: AppState) -> (tauri::App<MockRuntime>, tauri::WebviewWindow<MockRuntime>, StandIn) {
    let dir = temp_dir(name);
    let socket = dir.join("tray.sock");
    let tray = stand_in(&socket, state);
    let mut app =
        crate::run_app(mock_builder(), Some(socket)).build(tauri::generate_context!()).expect("mock app");
    // Setup runs when the event loop starts; one iteration of the mock loop runs it.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let webview = app.get_webview_window(crate::window::MAIN).expect("setup opened the main window");
    (app, webview, tray)
}

fn invoke(webview: &tauri::WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        webview,
        InvokeRequest {
            cmd: cmd.into(),
            callback: CallbackFn(0),
            error: CallbackFn(1),
            url: "tauri://localhost".parse().expect("url"),
            body: InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_owned(),
        },
    )
    .map(|body| body.deserialize::<Value>().expect("json"))
}

fn next_request(tray: &StandIn) -> Request {
    tray.requests.recv_timeout(Duration::from_secs(10)).expect("the tray was asked")
}

#[test]
fn commands_answer_through_the_ipc_and_fail_with_stable_codes() {
    let default = report("default");
    let (_app, webview, tray) = app("commands", state_with(Some(default.clone())));
    assert!(matches!(next_request(&tray), Request::Subscribe));

    // The tray's state at once: the report it had, no scan asked for.
    let state = invoke(&webview, "get_state", json!({})).expect("get_state");
    assert_eq!(state["report"]["score"], json!(default.score));
    assert_eq!(state["tray"], "critical");
    assert_eq!(state["settings"], serde_json::to_value(Settings::default()).expect("json"));

    invoke(&webview, "scan_now", json!({})).expect("scan_now");
    assert!(matches!(next_request(&tray), Request::ScanNow));

    let state = invoke(&webview, "set_monitoring", json!({"paused": true})).expect("set_monitoring");
    assert_eq!(state["paused"], true);
    assert!(matches!(next_request(&tray), Request::SetPaused { paused: true }));
    assert_eq!(invoke(&webview, "get_state", json!({})).expect("get_state")["paused"], true, "mirrored");

    // Refused before the tray is asked.
    let mut bad = serde_json::to_value(Settings::default()).expect("json");
    bad["rescan_interval_secs"] = json!(5);
    let err = invoke(&webview, "update_settings", json!({ "settings": bad })).expect_err("out of range");
    assert_eq!(err["code"], "invalid_argument", "{err}");
    let wanted = json!({"rescan_interval_secs": 600, "notifications": false, "notify_min_severity": "critical",
        "start_at_login": false, "theme": "dark"});
    let saved = invoke(&webview, "update_settings", json!({ "settings": wanted })).expect("update_settings");
    assert_eq!(saved, wanted);
    match next_request(&tray) {
        Request::UpdateSettings { settings } => {
            assert_eq!(serde_json::to_value(settings).expect("json"), wanted)
        }
        other => panic!("the settings were forwarded, got {other:?}"),
    }

    // The tray's error reaches the webview with its code and message.
    let err = invoke(&webview, "scan_images", json!({})).expect_err("the stand-in's database fails");
    assert_eq!(err["code"], "scan_failed", "{err}");
    assert!(err["message"].as_str().is_some_and(|m| m.contains("not a database")), "{err}");
    assert!(matches!(next_request(&tray), Request::ScanImages));

    // Only files exported in this session can be revealed.
    let err = invoke(&webview, "reveal_path", json!({"path": "/etc/passwd"})).expect_err("not exported");
    assert_eq!(err["code"], "invalid_argument", "{err}");

    // Bad arguments are refused by the IPC layer before any command runs.
    assert!(invoke(&webview, "export_report", json!({"format": "docx"})).is_err());
    assert!(invoke(&webview, "set_monitoring", json!({"paused": "yes"})).is_err());
    assert!(tray.requests.try_recv().is_err(), "nothing refused reached the tray");
}

#[test]
fn before_the_first_report_there_is_nothing_to_export() {
    let (_app, webview, _tray) = app("no-report", state_with(None));
    let state = invoke(&webview, "get_state", json!({})).expect("get_state");
    assert_eq!(state["report"], Value::Null);
    let err = invoke(&webview, "export_report", json!({"format": "pdf"})).expect_err("no report");
    assert_eq!(err["code"], "scan_failed", "{err}");
}

#[test]
fn the_capability_grants_the_commands_to_the_main_window_only() {
    let (app, main, _tray) = app("acl", state_with(None));
    for cmd in ["get_state", "reveal_path"] {
        let answer = invoke(&main, cmd, json!({"path": "/nowhere"}));
        // Granted: the command runs (reveal_path then refuses the path itself).
        assert!(
            answer.as_ref().map_or_else(|e| e["code"] == "invalid_argument", |_| true),
            "{cmd}: {answer:?}"
        );
    }
    // Not granted to the webview: file-system, dialogs, opening paths, reading the clipboard.
    for cmd in ["plugin:dialog|open", "plugin:opener|open_path", "plugin:clipboard-manager|read_text"] {
        assert!(invoke(&main, cmd, json!({})).is_err(), "{cmd} must be denied");
    }
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default()).build().expect("other");
    for cmd in ["get_state", "scan_now", "scan_images", "update_settings"] {
        assert!(invoke(&other, cmd, json!({})).is_err(), "another window has no capability for {cmd}");
    }
}

#[test]
fn the_tray_s_states_and_focus_become_webview_events() {
    let (app, webview, tray) = app("events", state_with(None));
    assert!(matches!(next_request(&tray), Request::Subscribe));
    let (states, got_state) = channel::<Value>();
    app.listen(crate::actions::STATE_CHANGED, move |e| {
        let _ = states.send(serde_json::from_str(e.payload()).expect("json"));
    });
    let (focus, got_focus) = channel::<Value>();
    app.listen(crate::actions::FOCUS_FINDING, move |e| {
        let _ = focus.send(serde_json::from_str(e.payload()).expect("json"));
    });
    let hardened = report("hardened");
    tray.push.send(ToDashboard::State { state: Box::new(state_with(Some(hardened.clone()))) }).expect("push");
    let state = got_state.recv_timeout(Duration::from_secs(10)).expect("state-changed");
    assert_eq!(state["report"]["score"], json!(hardened.score));
    assert_eq!(
        invoke(&webview, "get_state", json!({})).expect("get_state")["report"]["score"],
        json!(hardened.score)
    );

    let finding = FindingRef { check: "CTR001".into(), target: "web".into() };
    tray.push.send(ToDashboard::Focus { finding: Some(finding) }).expect("push");
    let focused = got_focus.recv_timeout(Duration::from_secs(10)).expect("focus-finding");
    assert_eq!(focused, json!({"check": "CTR001", "target": "web"}));
}

#[test]
fn exports_are_written_and_then_revealable() {
    let dir = temp_dir("export");
    let (app, _webview, _tray) = app("export-app", state_with(None));
    let default = report("default");
    for format in [crate::state::ExportFormat::Json, crate::state::ExportFormat::Pdf] {
        let path = dir.join(crate::export::default_file_name(format, &default));
        let done = crate::export::write(&path, format, &default).expect("export");
        assert!(done.bytes > 1000, "{done:?}");
        let bytes = std::fs::read(&path).expect("written");
        assert_eq!(bytes.len() as u64, done.bytes);
        if format == crate::state::ExportFormat::Pdf {
            assert!(bytes.starts_with(b"%PDF-"));
        } else {
            assert_eq!(Report::from_json(&String::from_utf8(bytes).expect("utf8")).expect("json"), *default);
        }
    }
    let err =
        crate::export::write(&dir.join("missing/dir/r.json"), crate::state::ExportFormat::Json, &default)
            .expect_err("no such directory");
    assert_eq!(serde_json::to_value(&err).expect("json")["code"], "export_failed");
    assert!(err.message.contains("missing/dir/r.json"), "{err}");
    let core = app.state::<Core>();
    assert!(!core.was_exported(&dir.join("r.json")));
    core.remember_export(dir.join("r.json"));
    assert!(core.was_exported(&dir.join("r.json")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_tray_that_does_not_answer_is_an_internal_error_not_a_hang() {
    let dir = temp_dir("silent");
    let socket = dir.join("tray.sock");
    let _listener = UnixListener::bind(&socket).expect("bind");
    // Connected, but nothing answers: the request must fail, not block forever.
    let stream = UnixStream::connect(&socket).expect("connect");
    let core = Core::new(state_with(None), stream);
    let err = core.request_within(Request::ScanNow, Duration::from_millis(200)).expect_err("no answer");
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(err.message.contains("did not answer"), "{err}");
}

#[test]
fn builds_of_the_tests_have_the_test_hooks() {
    // `tests/webdriver.rs`, the tray's e2e test and the benchmark read the state file the hooks
    // write; the dev-dependency of this package on itself turns `test-hooks` on wherever tests
    // are built.
    const { assert!(cfg!(feature = "test-hooks"), "the tests are built without the test hooks") };
}
