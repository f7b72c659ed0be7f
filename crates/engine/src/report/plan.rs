//! The daemon.json plan types: every `daemon.json` change the failing checks recommend, merged into
//! the file the engine actually reads, so a user applies one reviewed file instead of pasting a
//! fragment per check. Built by `evaluate::plan`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The merged `daemon.json` a user should end up with.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, JsonSchema, TS)]
pub struct DaemonJsonPlan {
    /// The file dockerd reads (`--config-file`, else the platform default).
    pub path: String,
    /// Whether the file exists today.
    pub exists: bool,
    /// Its current content, pretty-printed (`{}` when absent); `None` when it could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// The proposed content: the current settings with every change below applied.
    pub proposed: String,
    /// Each change, with the check that asks for it.
    pub changes: Vec<DaemonJsonChange>,
    /// What to watch out for before replacing the file (unreadable file, redacted values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// One key the plan sets.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct DaemonJsonChange {
    /// The check asking for it.
    pub check: String,
    /// The key, dotted for nested objects (`log-opts.max-size`).
    pub key: String,
    /// The value today (JSON), `None` when unset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<String>,
    /// The recommended value (JSON).
    pub proposed: String,
}
