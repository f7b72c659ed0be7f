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
