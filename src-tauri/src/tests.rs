//! Unit tests on Tauri's mock runtime with the app's real config and capabilities: commands through
//! the real IPC path (arguments, ACL, error serialisation), and the watcher-update → state mapping
//! on reports the engine computed from real snapshot fixtures.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use tauri::Manager;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use zerodock_engine::collect::watch::{Trigger, WatchUpdate};
use zerodock_engine::report::Baseline;
use zerodock_engine::{EvalConfig, Report, Snapshot, evaluate};

use crate::core::Core;
use crate::state::{AppState, EngineState, Settings, TrayState, status_line};

fn report(fixture: &str) -> Arc<Report> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../crates/engine/tests/fixtures/{fixture}.json"));
    let text = std::fs::read_to_string(&path).expect("fixture");
    let snapshot: Snapshot = serde_json::from_str(&text).expect("snapshot");
    Arc::new(evaluate(&snapshot, &EvalConfig::at(snapshot.collected_at)))
}

/// What the engine's watcher sends after a scan: the report and its new failures against the
/// watcher's baseline.
fn evaluated(baseline: &mut Baseline, report: &Arc<Report>, trigger: Trigger) -> WatchUpdate {
    let new_failures = baseline.advance(report);
    WatchUpdate::Evaluated { report: report.clone(), trigger, new_failures }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zerodock-desktop-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn app(config_dir: PathBuf) -> (tauri::App<MockRuntime>, tauri::WebviewWindow<MockRuntime>) {
    let launch = crate::Launch { window: false, tray: false, watch: false, config_dir: Some(config_dir) };
    let mut app = crate::run_app(mock_builder(), launch).build(tauri::generate_context!()).expect("mock app");
    // Setup runs when the event loop starts; one iteration of the mock loop runs it.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let webview = tauri::WebviewWindowBuilder::new(&app, crate::window::MAIN, Default::default())
        .build()
        .expect("main webview");
    (app, webview)
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

#[test]
fn commands_answer_through_the_ipc_and_fail_with_stable_codes() {
    let dir = temp_dir("commands");
    let (app, webview) = app(dir.clone());

    let state = invoke(&webview, "get_state", json!({})).expect("get_state");
    assert_eq!(state["report"], Value::Null);
    assert_eq!(state["tray"], "scanning");
    assert_eq!(state["settings"], serde_json::to_value(Settings::default()).expect("json"));

    // No watcher in this test: a scan cannot be asked for, and says why.
    let err = invoke(&webview, "scan_now", json!({})).expect_err("no watcher");
    assert_eq!(err["code"], "engine_unreachable", "{err}");

    let err = invoke(&webview, "update_settings", json!({"settings": {"rescan_interval_secs": 5}}))
        .expect_err("out of range");
    assert_eq!(err["code"], "invalid_argument", "{err}");
    assert!(!dir.join("settings.json").exists(), "rejected settings are not saved");

    let wanted = json!({"rescan_interval_secs": 600, "notifications": false, "start_at_login": false});
    let saved = invoke(&webview, "update_settings", json!({ "settings": wanted })).expect("update_settings");
    assert_eq!(saved, wanted);
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("settings.json")).expect("persisted"))
            .expect("json");
    assert_eq!(on_disk, wanted);

    let state = invoke(&webview, "set_monitoring", json!({"paused": true})).expect("set_monitoring");
    assert_eq!(state["paused"], true);
    assert_eq!(invoke(&webview, "get_state", json!({})).expect("get_state")["paused"], true);

    // Only files exported in this session can be revealed.
    let err = invoke(&webview, "reveal_path", json!({"path": "/etc/passwd"})).expect_err("not exported");
    assert_eq!(err["code"], "invalid_argument", "{err}");

    // Nothing to export before the first scan.
    let err = invoke(&webview, "export_report", json!({"format": "pdf"})).expect_err("no report");
    assert_eq!(err["code"], "scan_failed", "{err}");

    // Bad arguments are refused by the IPC layer before any command runs.
    assert!(invoke(&webview, "export_report", json!({"format": "docx"})).is_err());
    drop(app);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_capability_grants_the_commands_to_the_main_window_only() {
    let (app, main) = app(temp_dir("acl"));
    assert!(invoke(&main, "get_state", json!({})).is_ok());
    // Not granted to the webview: file-system, dialogs, opening paths, reading the clipboard.
    for cmd in ["plugin:dialog|open", "plugin:opener|open_path", "plugin:clipboard-manager|read_text"] {
        assert!(invoke(&main, cmd, json!({})).is_err(), "{cmd} must be denied");
    }
    let other = tauri::WebviewWindowBuilder::new(&app, "other", Default::default()).build().expect("other");
    assert!(invoke(&other, "get_state", json!({})).is_err(), "another window has no capability");
}

#[test]
fn exports_are_written_and_then_revealable() {
    let dir = temp_dir("export");
    std::fs::create_dir_all(&dir).expect("dir");
    let (app, _webview) = app(dir.clone());
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
fn watcher_updates_drive_state_tray_and_notifications() {
    let core = Core::new("unix:///tmp/zerodock-test/default/docker.sock", Settings::default(), None);
    let mut baseline = Baseline::default();
    assert_eq!(core.snapshot().tray, TrayState::Scanning);

    let fx = core.apply(WatchUpdate::ScanStarted { trigger: Trigger::Startup });
    assert!(fx.state_changed);
    assert!(core.snapshot().scanning);

    let hardened = report("hardened");
    let default = report("default");
    let fx = core.apply(evaluated(&mut baseline, &hardened, Trigger::Startup));
    assert!(fx.notify.is_empty(), "the first report's findings are not news");
    let state = core.snapshot();
    assert!(!state.scanning);
    assert_eq!(state.engine.state, EngineState::Connected);
    assert_eq!(state.tray, TrayState::of(EngineState::Connected, Some(&hardened)));

    // The weak engine after the hardened one: its critical failures are new, once.
    let fx = core.apply(evaluated(
        &mut baseline,
        &default,
        Trigger::Event { description: "container start".into() },
    ));
    assert!(!fx.notify.is_empty());
    assert!(fx.notify.iter().any(|n| n.check == "CTR003"), "{:?}", fx.notify);
    assert_eq!(core.snapshot().tray, TrayState::Critical);
    let fx = core.apply(evaluated(&mut baseline, &default, Trigger::Interval));
    assert!(fx.notify.is_empty(), "the same failures again are not news");

    // Notifications off: nothing, even when new.
    core.apply(evaluated(&mut baseline, &hardened, Trigger::Manual));
    core.set_settings(Settings { notifications: false, ..Settings::default() }).expect("settings");
    let fx = core.apply(evaluated(&mut baseline, &default, Trigger::Manual));
    assert!(fx.notify.is_empty());

    let fx = core.apply(WatchUpdate::EngineDown {
        reason: "connection refused".into(),
        retry_in: Duration::from_secs(8),
    });
    assert!(fx.state_changed);
    let state = core.snapshot();
    assert_eq!(state.tray, TrayState::Unknown);
    assert_eq!(state.engine.state, EngineState::Unreachable);
    assert_eq!(state.engine.next_retry_secs, Some(8));
    assert_eq!(state.engine.message.as_deref(), Some("connection refused"));
    assert!(state.engine.hint.is_some());
    let line = status_line(&state);
    assert!(line.starts_with("ZeroDock — engine unreachable · host only "), "{line}");

    core.apply(WatchUpdate::EngineUp);
    assert_eq!(core.snapshot().tray, TrayState::Critical);
}

#[test]
fn the_status_line_carries_score_grade_counts_and_engine() {
    let core = Core::new("unix:///var/run/docker.sock", Settings::default(), None);
    let mut baseline = Baseline::default();
    assert_eq!(status_line(&core.snapshot()), "ZeroDock — first scan… · connecting to the engine");
    let default = report("default");
    core.apply(evaluated(&mut baseline, &default, Trigger::Startup));
    core.set_paused(true);
    let state: AppState = core.snapshot();
    let line = status_line(&state);
    let critical =
        default.counts.failing_by_severity.get(&zerodock_engine::Severity::Critical).copied().unwrap_or(0);
    let score = default.score.expect("scored");
    assert!(
        line.starts_with(&format!("ZeroDock — {score}/100 {} · {critical} critical · ", default.grade)),
        "{line}"
    );
    assert!(line.ends_with("engine connected · monitoring paused"), "{line}");
}

#[test]
fn every_tray_state_has_a_decodable_icon() {
    for state in TrayState::ALL {
        let icon = crate::tray::icon(state).expect("png decodes");
        assert_eq!((icon.width(), icon.height()), (32, 32), "{state:?}");
    }
}

#[test]
fn builds_of_the_tests_have_the_test_hooks() {
    // `tests/webdriver.rs` and the desktop benchmark read the state file the hooks write; the
    // dev-dependency of this package on itself turns `test-hooks` on wherever tests are built.
    const { assert!(cfg!(feature = "test-hooks"), "the tests are built without the test hooks") };
    assert_eq!(crate::testhook::ENV, "ZERODOCK_TEST_STATE_FILE");
}
