//! TEST-ONLY hook: with `ZERODOCK_TEST_STATE_FILE=/path` set, every tray update appends a JSON line
//! `{"tray":"critical","score":35,"engine":"connected","pid":…,"at_ms":…}` (every notification a
//! `{"notification":{…},"at_ms":…}` line, the chosen tray backend a `{"backend":"sni"|"xembed",…}`
//! line, the dashboard's start and exit `{"dashboard":"started"|"exited","dashboard_pid":…}`) to
//! that file, so tests and the desktop benchmark can see what the tray showed and when (`at_ms`:
//! Unix time in milliseconds). Unset, this does nothing. Never holds anything secret. The dashboard
//! (`zerodock-desktop`) appends to the same file through [`append`].
//!
//! Compiled only with the `test-hooks` feature, which every build of this package's tests turns on
//! (a dev-dependency on itself, see `Cargo.toml`) and a shipped build never has.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::json;

use crate::model::AppState;

/// The environment variable naming the file.
pub const ENV: &str = "ZERODOCK_TEST_STATE_FILE";

fn file() -> Option<&'static PathBuf> {
    static FILE: OnceLock<Option<PathBuf>> = OnceLock::new();
    FILE.get_or_init(|| std::env::var_os(ENV).filter(|v| !v.is_empty()).map(PathBuf::from)).as_ref()
}

/// Unix time in milliseconds.
pub fn now_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

/// Appends one JSON line (with `at_ms` added when missing) to the file, if one is set.
pub fn append(mut line: serde_json::Value) {
    if let Some(obj) = line.as_object_mut() {
        obj.entry("at_ms").or_insert_with(|| json!(now_ms()));
    }
    let Some(path) = file() else { return };
    let result = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{line}"));
    if let Err(e) = result {
        tracing::warn!(file = %path.display(), "{ENV}: cannot append: {e}");
    }
}

/// Records what the tray now shows.
pub fn record_tray(state: &AppState) {
    append(json!({
        "tray": state.tray,
        "score": state.report.as_ref().and_then(|r| r.score),
        "engine": state.engine.state,
        "scanning": state.scanning,
        "paused": state.paused,
        "pid": std::process::id(),
        "at_ms": now_ms(),
    }));
}

/// Records a notification that was sent.
pub fn record_notification(title: &str, body: &str) {
    append(json!({ "notification": { "title": title, "body": body }, "at_ms": now_ms() }));
}

/// Records which tray backend runs (`sni` or `xembed`).
pub fn record_backend(backend: &str) {
    append(json!({ "backend": backend, "pid": std::process::id() }));
}

/// Records the dashboard process starting or exiting.
pub fn record_dashboard(what: &str, pid: u32) {
    append(json!({ "dashboard": what, "dashboard_pid": pid }));
}
