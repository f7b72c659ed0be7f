//! What to act on first: the one order every face lists problems in (terminal, HTML, PDF, the
//! app's overview), and the facts that describe the scanned engine and host. Both are read-only
//! over a finished report; the UI gets them as data (`Report::risks`, `Report::identity`) so it
//! never re-implements the order or names check codes.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::report::{CheckResult, Report, Severity, Status};

/// A check to act on, as the overview and the documents list it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct Risk {
    /// The check's code.
    pub check: String,
    /// Its (possibly overridden) severity.
    pub severity: Severity,
    /// Its status: fail, warn or unknown.
    pub status: Status,
    /// Findings that fail or warn and nobody accepted.
    pub failing: usize,
    /// Points the overall score gains if every failing target is fixed, when scored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gain: Option<u8>,
    /// The cap that would still hold the overall score if this check alone were fixed (another
    /// check of the cap's severity still fails), when one would: why `gain` can be 0 for a
    /// critical. `Report::score_if_fixed_by_severity` says what fixing all of them gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped: Option<ScoreCap>,
}

/// A grade cap that holds the overall score down (docs/scoring.md): the score it stops at, and
/// the severity whose unwaived failures impose it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct ScoreCap {
    /// Critical (capped at 69) or high (capped at 89).
    pub severity: Severity,
    /// The highest score allowed while any check of that severity fails.
    pub score: u8,
}

/// Which aspect of the scanned engine or host a fact describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema, TS)]
#[serde(rename_all = "snake_case")]
pub enum IdentityAspect {
    /// The engine's version and whether its release is still supported.
    EngineVersion,
    /// Encryption of the volume holding Docker's data-root.
    DataRootEncryption,
    /// Encryption of the root filesystem.
    DiskEncryption,
    /// Whether the user running the scan is root-equivalent.
    UserPrivileges,
}

/// One fact of the engine/host identity card: a check's verdict on the engine or host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TS)]
pub struct IdentityFact {
    /// What it describes.
    pub aspect: IdentityAspect,
    /// The check that judged it.
    pub check: String,
    /// Its verdict.
    pub status: Status,
    /// The finding's message, or why it could not be judged.
    pub summary: String,
}

/// Failures before warnings before unknowns.
fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Warn => 1,
        Status::Unknown => 2,
        _ => 3,
    }
}

impl Report {
    /// Points the overall score would gain if every failing target of `check` were fixed.
    pub fn gain(&self, check: &CheckResult) -> Option<u8> {
        Some(check.score_if_fixed?.saturating_sub(self.score?))
    }

    /// Checks to act on (failing, warning, unknown) in the one order every output uses: most
    /// severe first; at equal severity failures before warnings before unknowns; then what fixing
    /// gains; then the code.
    pub fn problem_checks(&self) -> Vec<&CheckResult> {
        let mut checks: Vec<&CheckResult> =
            self.checks.iter().filter(|c| status_rank(c.status) < 3).collect();
        checks.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(status_rank(a.status).cmp(&status_rank(b.status)))
                .then(self.gain(b).cmp(&self.gain(a)))
                .then(a.id.cmp(&b.id))
        });
        checks
    }

    /// [`Report::problem_checks`] as data, for a UI that cannot call Rust.
    pub fn rank_risks(&self) -> Vec<Risk> {
        self.problem_checks()
            .into_iter()
            .map(|c| Risk {
                check: c.id.clone(),
                severity: c.severity,
                status: c.status,
                failing: c
                    .findings
                    .iter()
                    .filter(|f| f.waived.is_none() && matches!(f.status, Status::Fail | Status::Warn))
                    .count(),
                gain: self.gain(c),
                // Known only to the scoring in `evaluate`, which fills it in.
                capped: None,
            })
            .collect()
    }
}
