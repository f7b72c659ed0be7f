//! TEST-ONLY hook: with `ZERODOCK_TEST_STATE_FILE=/path` set, every tray update appends a JSON line
//! `{"tray":"critical","score":35,"engine":"connected","pid":…,"at_ms":…}` (and every notification a
//! `{"notification":{…},"at_ms":…}` line) to that file, so the WebDriver test and the desktop
//! benchmark can see what the tray showed and when (`at_ms`: Unix time in milliseconds). Tray
//! hosts cannot be queried headless. Unset, this does nothing. Never holds anything secret.
//!
//! Compiled only with the `test-hooks` feature, which every build of this package's tests turns on
//! (a dev-dependency on itself, see `Cargo.toml`) and a shipped build never has.

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::json;

use crate::state::AppState;

/// The environment variable naming the file.
pub const ENV: &str = "ZERODOCK_TEST_STATE_FILE";

fn file() -> Option<&'static PathBuf> {
    static FILE: OnceLock<Option<PathBuf>> = OnceLock::new();
    FILE.get_or_init(|| std::env::var_os(ENV).filter(|v| !v.is_empty()).map(PathBuf::from)).as_ref()
}

fn now_ms() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis())
}

fn append(line: serde_json::Value) {
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
