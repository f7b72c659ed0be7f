//! Small judgements every document renderer (HTML, PDF) makes the same way, so the two documents
//! order and count findings identically.

use zerodock_engine::{CheckResult, Finding, Report, Status};

/// A failing, warning or unknown finding that nobody accepted: what a report lists in detail.
pub(crate) fn is_problem(f: &Finding) -> bool {
    f.waived.is_none() && matches!(f.status, Status::Fail | Status::Warn | Status::Unknown)
}

/// Failures before warnings before unknowns.
pub(crate) fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Unknown => 2,
        _ => 3,
    }
}

/// Points the overall score would gain if every failing target of `c` were fixed.
pub(crate) fn gain(report: &Report, c: &CheckResult) -> u8 {
    match (c.score_if_fixed, report.score) {
        (Some(fixed), Some(now)) => fixed.saturating_sub(now),
        _ => 0,
    }
}

/// Checks to act on (failing, warning, unknown), most severe first, failures before warnings
/// before unknowns: the order of the HTML and PDF documents.
pub(crate) fn problem_checks(report: &Report) -> Vec<&CheckResult> {
    let mut checks: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Warn | Status::Unknown))
        .collect();
    checks.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(status_rank(a.status).cmp(&status_rank(b.status)))
            .then(a.id.cmp(&b.id))
    });
    checks
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
