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

pub use zerodock_tray::engines::{EngineChoice, EngineList, EngineOrigin};
pub use zerodock_tray::history::{
    CategoryChange, CategoryPoint, ScanDiff, ScanSummary, ScoreChange, WaivedFinding,
};
pub use zerodock_tray::model::{HistoryList, HistoryStatus};
pub use zerodock_tray::model::{PolicyState, PolicyWaiver, WaiverChange, WaiverInput};

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
    /// The signature, when the export was signed.
    pub signature: Option<ExportSignature>,
}

/// What **Sign** wrote beside an export (docs/signing.md): the JSON report (the export itself when
/// it is JSON, else its twin, written first) and its DSSE envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ExportSignature {
    /// The signed JSON report (absolute).
    pub json_path: String,
    /// Its envelope, `<json>.dsse.json` (absolute).
    pub envelope_path: String,
    /// The signing key's fingerprint (`zerodock key export` names the same).
    pub key_fingerprint: String,
    /// Hex SHA-256 of the JSON report file.
    pub report_sha256: String,
    /// Whether the key was created by this export (its first use).
    pub key_created: bool,
    /// The keyring store that holds the key (`secret-service`, `keyutils`, …).
    pub keyring: String,
}

/// The OS keyring store in use, for the Host view (`keyring_status`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KeyringStatus {
    /// `secret-service`, `keyutils`, `keychain`, `credential-manager`; `null`: no store.
    pub store: Option<String>,
    /// Whether a secret kept there survives a reboot (keyutils: no).
    pub persistent: bool,
    /// Why this store, or why there is none.
    pub reason: String,
}

impl From<zerodock_store::secrets::StoreStatus> for KeyringStatus {
    fn from(status: zerodock_store::secrets::StoreStatus) -> Self {
        KeyringStatus {
            store: status.store.map(|k| k.as_str().to_owned()),
            persistent: status.persistent,
            reason: status.reason,
        }
    }
}
