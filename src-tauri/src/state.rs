//! The app's types that cross the webview IPC (`docs/desktop-ipc.md`). The state and settings are
//! the tray's (`zerodock_tray::model`: the tray owns them and sends them over its socket); the
//! export types are the dashboard's own. TypeScript is generated from all of them into
//! `ui/src/lib/bindings/app.ts` (test `bindings`).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use zerodock_tray::model::{
    AppState, EngineState, EngineStatus, NotifySeverity, RESCAN_INTERVAL_RANGE, Settings, Theme, TrayState,
    status_line,
};

/// Export formats offered by `export_report`: the report crate's own, so the app offers exactly
/// what the renderers write.
pub use zerodock_report::export::ExportFormat;

/// A file `export_report` wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportResult {
    /// Where it was written (absolute).
    pub path: String,
    /// In which format.
    pub format: ExportFormat,
    /// Its size in bytes.
    #[ts(type = "number")]
    pub bytes: u64,
}
