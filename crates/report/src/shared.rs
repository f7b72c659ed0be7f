//! Small judgements every document renderer (HTML, PDF) makes the same way, so the two documents
//! order and count findings identically.

use zerodock_engine::{Finding, Report, Status};

/// A failing, warning or unknown finding that nobody accepted: what a report lists in detail.
pub(crate) fn is_problem(f: &Finding) -> bool {
    f.waived.is_none() && matches!(f.status, Status::Fail | Status::Warn | Status::Unknown)
}

/// Failures before warnings before unknowns: how a check's findings are listed.
pub(crate) fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Unknown => 2,
        _ => 3,
    }
}

/// The engine's name, else the host's, else the endpoint: what a document's title names.
pub(crate) fn subject_name(report: &Report) -> String {
    let s = &report.subject;
    s.engine
        .as_ref()
        .map(|e| e.name.clone())
        .filter(|n| !n.is_empty())
        .or_else(|| s.host.as_ref().map(|h| h.hostname.clone()))
        .unwrap_or_else(|| s.endpoint.host.clone())
}
