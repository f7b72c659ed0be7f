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
    /// Values of the proposed file that are examples the user must replace before applying it
    /// (a syslog server's address): the file view marks them, and the plan names their keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub placeholders: Vec<DaemonJsonPlaceholder>,
}

/// A value of the proposed daemon.json that stands for one only the user knows.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, JsonSchema, TS)]
pub struct DaemonJsonPlaceholder {
    /// The key, dotted for nested objects (`log-opts.syslog-address`).
    pub key: String,
    /// The example value written in its place (`tcp+tls://logs.example.internal:6514`).
    pub value: String,
}

/// Whether a proposed value is a placeholder rather than a value to keep: an `example` host name
/// (`logs.example.internal`, RFC 2606/6761 reserve them), an `<angle>` slot, or an UPPER_CASE
/// word with an underscore (`CAP_NAME`, `MEMORY_LIMIT`). The remediation proof
/// (`xtask/src/remediation.rs`) tells them apart by the same rules before it fills them.
pub fn is_placeholder(value: &str) -> bool {
    let example_host =
        value.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).any(|w| w == "example");
    let angle = value.contains('<') && value.contains('>');
    let upper = value.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).any(is_upper_placeholder);
    example_host || angle || upper
}

/// `CAP_NAME`, `MEMORY_LIMIT`, `YOUR_HOST`: upper case with an underscore (`ALL` is a value).
pub fn is_upper_placeholder(word: &str) -> bool {
    word.len() >= 3
        && word.contains('_')
        && word.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && word.bytes().any(|b| b.is_ascii_uppercase())
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
