//! The error every command returns: a stable snake_case `code` the UI can switch on and a `message`
//! for humans (GitButler's pattern). The codes are part of `docs/desktop-ipc.md`; changing one is a
//! breaking change for the UI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Stable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The Docker engine could not be reached.
    EngineUnreachable,
    /// A scan could not be run (or there is no report yet).
    ScanFailed,
    /// Rendering or writing an export failed.
    ExportFailed,
    /// An argument was out of range or not allowed.
    InvalidArgument,
    /// The user cancelled.
    Cancelled,
    /// Anything else: a bug or a broken environment.
    Internal,
}

impl ErrorCode {
    /// The wire name (`export_failed`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::EngineUnreachable => "engine_unreachable",
            ErrorCode::ScanFailed => "scan_failed",
            ErrorCode::ExportFailed => "export_failed",
            ErrorCode::InvalidArgument => "invalid_argument",
            ErrorCode::Cancelled => "cancelled",
            ErrorCode::Internal => "internal",
        }
    }
}

/// A command's error: `{ "code": "export_failed", "message": "…" }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, thiserror::Error)]
#[error("{message} ({})", code.as_str())]
pub struct CommandError {
    /// What kind of error, stable.
    pub code: ErrorCode,
    /// What happened and what to do, for humans.
    pub message: String,
}

impl CommandError {
    /// An error with `code` and `message`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        CommandError { code, message: message.into() }
    }

    /// `invalid_argument`.
    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidArgument, message)
    }

    /// `internal`.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// `export_failed` for `path`, with the reason.
    pub fn export_failed(path: &std::path::Path, reason: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::ExportFailed, format!("Could not export to {}: {reason}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_a_stable_snake_case_code() {
        let e = CommandError::export_failed(std::path::Path::new("/tmp/r.pdf"), "disk full");
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            serde_json::json!({"code": "export_failed", "message": "Could not export to /tmp/r.pdf: disk full"})
        );
    }

    #[test]
    fn every_code_serialises_as_its_documented_name() {
        let codes = [
            ErrorCode::EngineUnreachable,
            ErrorCode::ScanFailed,
            ErrorCode::ExportFailed,
            ErrorCode::InvalidArgument,
            ErrorCode::Cancelled,
            ErrorCode::Internal,
        ];
        let doc = include_str!("../../../docs/desktop-ipc.md");
        for code in codes {
            let wire = serde_json::to_value(code).unwrap();
            assert_eq!(wire, serde_json::Value::String(code.as_str().to_owned()));
            assert!(doc.contains(&format!("`{}`", code.as_str())), "{} is not documented", code.as_str());
            let back: ErrorCode = serde_json::from_value(wire).unwrap();
            assert_eq!(back, code);
        }
    }

    #[test]
    fn display_names_the_code() {
        assert_eq!(CommandError::internal("boom").to_string(), "boom (internal)");
    }
}
