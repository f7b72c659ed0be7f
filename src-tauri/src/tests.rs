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
                Request::History { engine, limit } => Ok(stand_in_history(engine, limit)),
                Request::HistoryDiff { from, to } => {
                    if from.0 == 404 {
                        Err(CommandError::invalid_argument("no scan 404 in the history"))
                    } else {
                        let (before, after) = (report("default"), report("hardened"));
                        assert!(to.is_none_or(|t| t.0 > from.0));
                        Ok(serde_json::to_value(zerodock_tray::history::diff(&before, &after)).expect("json"))
                    }
                }
                // As the tray answers: what changed, and the policy after it (one waiver here).
                Request::Waive { waiver } => Ok(json!({
                    "message": format!("Accepted the risk of {} / {}.", waiver.check, waiver.target.as_deref().unwrap_or("*")),
                    "policy": {"path": "/home/u/.config/zerodock/policy.toml", "exists": true, "error": null,
                        "default_by": "u", "waivers": [{"check": waiver.check, "target": waiver.target.unwrap_or_else(|| "*".into()),
                        "reason": waiver.reason, "by": waiver.by, "expires": waiver.expires}]},
                })),
                Request::Unwaive { check, target } => Err(CommandError::invalid_argument(format!(
                    "no waiver for {check} / {}",
                    target.unwrap_or_else(|| "*".into())
                ))),
                Request::Engines | Request::RemoveEngine { .. } => {
                    Ok(json!({"engines": [], "selected": null}))
                }
                Request::SelectEngine { id } => {
                    state.settings.engine = id;
                    state.report = None;
                    Ok(serde_json::to_value(&state).expect("json"))
                }
                Request::AddEngine { engine } => Ok(json!({"id": "added:1", "name": engine.name,
                    "host": engine.host, "origin": "added", "tls": engine.tls.is_some(), "current": false,
                    "problem": null})),
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
        policy: Default::default(),
        history: Default::default(),
    }
}

/// What the stand-in's history answers: two scans of the weak fixture's engine, as the tray's
/// history lists them.
fn stand_in_history(engine: Option<String>, limit: Option<u32>) -> Value {
    let scans: Vec<Value> = [report("default"), report("hardened")]
        .iter()
        .enumerate()
        .map(|(i, r)| {
            json!({"id": i + 1, "scanned_at": r.generated_at, "engine": r.subject.endpoint.host,
                "reached_engine": true, "score": r.score, "grade": r.grade, "counts": r.counts,
                "categories": zerodock_tray::history::CategoryPoint::of(r)})
        })
        .take(limit.unwrap_or(10) as usize)
        .collect();
    json!({"engine": engine, "scans": scans, "engines": [], "retention_days": 90})
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
        "start_at_login": false, "theme": "dark", "engine": null});
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

#[test]
fn history_and_engine_commands_are_the_tray_s_answers() {
    let (_app, webview, tray) = app("history", state_with(Some(report("default"))));
    assert!(matches!(next_request(&tray), Request::Subscribe));
    let engine = "unix:///tmp/zerodock-test/default/docker.sock";

    let list = invoke(&webview, "list_history", json!({"engine": engine, "limit": 1})).expect("list_history");
    assert_eq!(list["scans"].as_array().map(Vec::len), Some(1));
    assert!(list["scans"][0]["categories"].as_array().is_some_and(|c| !c.is_empty()), "{list}");
    match next_request(&tray) {
        Request::History { engine: Some(e), limit: Some(1) } => assert_eq!(e, engine),
        other => panic!("the history was asked, got {other:?}"),
    }

    let diff = invoke(&webview, "history_diff", json!({"from": 1, "to": null})).expect("history_diff");
    assert!(diff["fixed"].as_array().is_some_and(|f| !f.is_empty()), "{diff}");
    assert!(diff["score"]["delta"].as_i64().is_some_and(|d| d > 0), "{diff}");
    assert!(matches!(next_request(&tray), Request::HistoryDiff { from, to: None } if from.0 == 1));
    let err = invoke(&webview, "history_diff", json!({"from": 404})).expect_err("unknown scan");
    assert_eq!(err["code"], "invalid_argument", "{err}");
    next_request(&tray);

    invoke(&webview, "list_engines", json!({})).expect("list_engines");
    assert!(matches!(next_request(&tray), Request::Engines));
    let state = invoke(&webview, "select_engine", json!({"id": "context:remote"})).expect("select_engine");
    assert_eq!(state["settings"]["engine"], "context:remote");
    assert!(
        matches!(next_request(&tray), Request::SelectEngine { id: Some(ref id) } if id == "context:remote")
    );
    let mirrored = invoke(&webview, "get_state", json!({})).expect("get_state");
    assert_eq!(mirrored["report"], Value::Null, "the old engine's report is gone from the mirror");

    // A plain engine needs no dialog; the key of a TLS one never crosses the webview (tested in
    // the tray: it arrives from the folder dialog in Rust).
    let added =
        invoke(&webview, "add_engine", json!({"name": "lab", "host": "unix:///run/lab.sock", "tls": false}))
            .expect("add_engine");
    assert_eq!(added["id"], "added:1");
    assert!(
        matches!(next_request(&tray), Request::AddEngine { engine } if engine.tls.is_none() && engine.name == "lab")
    );
    invoke(&webview, "remove_engine", json!({"id": "added:1"})).expect("remove_engine");
    assert!(matches!(next_request(&tray), Request::RemoveEngine { ref id } if id == "added:1"));
}

#[test]
fn tls_files_are_read_from_the_chosen_folder_and_a_missing_one_is_named() {
    let dir = temp_dir("tls-files");
    for name in ["ca.pem", "cert.pem"] {
        std::fs::write(dir.join(name), "-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----\n")
            .expect("write");
    }
    let err = crate::actions::read_tls_dir(&dir).expect_err("no key.pem");
    assert!(err.message.contains("key.pem"), "{}", err.message);
    std::fs::write(dir.join("key.pem"), "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n")
        .expect("write");
    let tls = crate::actions::read_tls_dir(&dir).expect("reads");
    assert!(tls.key.0.contains("secret"));
    assert!(!format!("{tls:?}").contains("secret"), "never printed");
}

#[test]
fn waivers_are_asked_of_the_tray_and_an_empty_reason_never_reaches_it() {
    let (_app, webview, tray) = app("waive", state_with(Some(report("default"))));
    assert!(matches!(next_request(&tray), Request::Subscribe));
    let waiver = json!({"check": "CTR003", "target": "web", "reason": "CI runner", "by": "alice", "expires": "2099-12-31"});
    let change = invoke(&webview, "waive", json!({ "waiver": waiver })).expect("waive");
    assert_eq!(change["message"], "Accepted the risk of CTR003 / web.");
    assert_eq!(change["policy"]["waivers"][0]["by"], "alice");
    match next_request(&tray) {
        Request::Waive { waiver } => {
            assert_eq!((waiver.check.as_str(), waiver.target.as_deref()), ("CTR003", Some("web")));
            assert_eq!(waiver.expires.as_deref(), Some("2099-12-31"));
        }
        other => panic!("the waiver was forwarded, got {other:?}"),
    }
    // Every object of the check: no target.
    let all = json!({"check": "CTR019", "target": null, "reason": "monitored elsewhere", "by": null, "expires": null});
    let change = invoke(&webview, "waive", json!({ "waiver": all })).expect("waive all");
    assert_eq!(change["policy"]["waivers"][0]["target"], "*");
    assert!(matches!(next_request(&tray), Request::Waive { waiver } if waiver.target.is_none()));

    let blank = json!({"check": "CTR003", "target": "web", "reason": "  ", "by": null, "expires": null});
    let err = invoke(&webview, "waive", json!({ "waiver": blank })).expect_err("no reason");
    assert_eq!(err["code"], "invalid_argument", "{err}");

    // The tray's refusal reaches the webview with its code and message.
    let err = invoke(&webview, "unwaive", json!({"check": "CTR003", "target": "db"})).expect_err("none");
    assert_eq!(err["code"], "invalid_argument", "{err}");
    assert_eq!(err["message"], "no waiver for CTR003 / db");
    assert!(
        matches!(next_request(&tray), Request::Unwaive { check, target: Some(t) } if check == "CTR003" && t == "db")
    );
    assert!(tray.requests.try_recv().is_err(), "the blank reason never reached the tray");
}

#[test]
fn a_signed_export_writes_the_json_first_then_the_sealed_pdf_and_a_valid_envelope() {
    use zerodock_store::signing::{self, Envelope, ReportSigner};
    let dir = temp_dir("signed");
    let default = report("default");
    let secrets = zerodock_store::secrets::Secrets::mock().expect("mock keyring");
    let pdf = dir.join("zerodock-host.pdf");
    let done = crate::export::write_signed(&pdf, crate::state::ExportFormat::Pdf, &default, &secrets)
        .expect("signed export");
    let signature = done.signature.clone().expect("signed");
    assert!(signature.key_created, "the first signature creates the key");
    assert_eq!(signature.keyring, "mock");
    assert_eq!(signature.json_path, dir.join("zerodock-host.json").display().to_string(), "the JSON twin");
    assert_eq!(signature.envelope_path, dir.join("zerodock-host.json.dsse.json").display().to_string());

    // The envelope verifies against the key in the keyring, over the JSON's bytes on disk.
    let json = std::fs::read(&signature.json_path).expect("json twin");
    let envelope =
        Envelope::from_json(&std::fs::read(&signature.envelope_path).expect("envelope")).expect("dsse");
    let key = ReportSigner::load(&secrets).expect("read").expect("kept in the keyring").public();
    let verified = signing::verify(&envelope, &json, std::slice::from_ref(&key)).expect("valid");
    assert_eq!(verified.key_fingerprint, signature.key_fingerprint);
    assert_eq!(verified.report_sha256, signature.report_sha256);
    assert_eq!(Report::from_json(std::str::from_utf8(&json).expect("utf8")).expect("a report"), *default);
    // Tampered: one byte of the JSON changed and the envelope no longer verifies.
    let mut tampered = json.clone();
    let at = tampered.iter().position(|b| *b == b'9').expect("a digit");
    tampered[at] = b'8';
    assert!(signing::verify(&envelope, &tampered, &[key]).is_err(), "tampering is caught");

    // The PDF names the signature: its text (pdftotext) has the fingerprint and the JSON's digest.
    let out = std::process::Command::new("pdftotext")
        .args(["-layout"])
        .arg(&pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils)");
    let text = String::from_utf8_lossy(&out.stdout).split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(text.contains("Signed report"), "{text:.400}");
    assert!(text.contains(&signature.key_fingerprint), "the key fingerprint is on the PDF");
    assert!(text.contains(&signature.report_sha256[..32]), "the JSON's digest is on the PDF");
    assert!(text.contains("zerodock-host.json.dsse.json"), "the envelope is named");

    // A second export reuses the key; JSON alone signs the file itself.
    let json_only = dir.join("plain.json");
    let again = crate::export::write_signed(&json_only, crate::state::ExportFormat::Json, &default, &secrets)
        .expect("signed json");
    let again = again.signature.expect("signed");
    assert!(!again.key_created);
    assert_eq!(again.key_fingerprint, signature.key_fingerprint);
    assert_eq!(again.json_path, json_only.display().to_string());
    // Formats that cannot show the seal are refused before anything is written.
    let md = dir.join("r.md");
    let err = crate::export::write_signed(&md, crate::state::ExportFormat::Markdown, &default, &secrets)
        .expect_err("markdown");
    assert_eq!(err.code, ErrorCode::InvalidArgument, "{err}");
    assert!(!md.exists() && !dir.join("r.json").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The Host view's keyring line against the real kernel keyutils store: this test binary is run
/// again as a child inside a fresh session keyring (`keyctl session -`) with a session bus that
/// does not answer, so `auto` falls back to keyutils; the child asks `keyring_status` through the
/// real IPC of a mock app and checks what the UI gets.
#[test]
fn the_keyring_status_names_keyutils_and_why_in_a_real_session_keyring() {
    let exe = std::env::current_exe().expect("test binary");
    let out = std::process::Command::new("keyctl")
        .args(["session", "-"])
        .arg(&exe)
        .args([
            "--exact",
            "tests::keyring_status_inner",
            "--include-ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("ZERODOCK_TEST_INNER", "1")
        .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/zerodock-test-bus")
        .env_remove("ZERODOCK_KEYRING")
        .output()
        .expect("keyctl (Debian package keyutils)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success() && text.contains("1 passed"), "the inner test failed:\n{text}");
}

#[test]
#[ignore = "run by the_keyring_status_names_keyutils_and_why_in_a_real_session_keyring in a keyctl session"]
fn keyring_status_inner() {
    if std::env::var_os("ZERODOCK_TEST_INNER").is_none() {
        return;
    }
    let (_app, webview, _tray) = app("keyring", state_with(None));
    let status = invoke(&webview, "keyring_status", json!({})).expect("keyring_status");
    assert_eq!(status["store"], "keyutils", "{status}");
    assert_eq!(status["persistent"], false, "{status}");
    let reason = status["reason"].as_str().expect("a reason");
    assert!(reason.starts_with("no Secret Service ("), "{reason}");
    assert!(reason.contains("in memory until reboot"), "{reason}");
}
