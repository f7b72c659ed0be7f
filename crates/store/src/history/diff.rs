//! What changed between two scans: failures that appeared, failures that went, findings newly
//! accepted by a waiver, and the score. "New" is the engine's rule (`Report::failures_since`, the
//! one behind `zerodock watch` and the tray's notifications): the same check on the same object,
//! matched by kind and name so a recreated container is not new; here at every severity.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;
use zerodock_engine::{Category, Grade, NewFailure, Report, Severity, Status, TargetKind};

/// What changed from one scan (`before`) to another (`after`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ScanDiff {
    /// The overall score and grade, before and after.
    pub score: ScoreChange,
    /// The categories whose score changed, in checklist order.
    pub categories: Vec<CategoryChange>,
    /// Unwaived failures in `after` that `before` did not have, most severe first.
    pub new_failures: Vec<NewFailure>,
    /// Unwaived failures in `before` that `after` does not have (fixed, or the object is gone),
    /// most severe first. Failures accepted by a waiver since are under `newly_waived` instead.
    pub fixed: Vec<NewFailure>,
    /// Failures that `after` reports as waived and `before` did not, most severe first.
    pub newly_waived: Vec<WaivedFinding>,
    /// What makes the comparison less than like for like (another engine, a scan that did not
    /// reach its engine, another catalogue version).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl ScanDiff {
    /// Whether nothing changed that the diff reports.
    pub fn is_empty(&self) -> bool {
        self.new_failures.is_empty()
            && self.fixed.is_empty()
            && self.newly_waived.is_empty()
            && self.categories.is_empty()
            && self.score.before == self.score.after
    }
}

/// A score before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ScoreChange {
    /// The score before (`None`: nothing was scorable).
    pub before: Option<u8>,
    /// The score after.
    pub after: Option<u8>,
    /// `after - before`, when both exist.
    pub delta: Option<i16>,
    /// The grade before.
    pub grade_before: Grade,
    /// The grade after.
    pub grade_after: Grade,
}

impl ScoreChange {
    fn new(before: Option<u8>, after: Option<u8>, grade_before: Grade, grade_after: Grade) -> Self {
        let delta = before.zip(after).map(|(b, a)| i16::from(a) - i16::from(b));
        ScoreChange { before, after, delta, grade_before, grade_after }
    }
}

/// One category's score before and after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct CategoryChange {
    /// The category.
    pub category: Category,
    /// Its heading.
    pub title: String,
    /// Its score and grade before and after.
    #[serde(flatten)]
    pub score: ScoreChange,
}

/// A failure newly accepted by a waiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct WaivedFinding {
    /// The failure.
    #[serde(flatten)]
    pub finding: NewFailure,
    /// The waiver's reason.
    pub reason: String,
    /// Its expiry, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
}

/// The identity of a finding across scans: check, target kind, target name (as the engine's
/// `failures_since` matches them).
type Key<'a> = (&'a str, TargetKind, &'a str);

/// Waived failing findings of a report, with their check.
fn waived(
    report: &Report,
) -> impl Iterator<Item = (&zerodock_engine::CheckResult, &zerodock_engine::Finding)> {
    report
        .checks
        .iter()
        .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
        .filter(|(_, f)| f.status == Status::Fail && f.waived.is_some())
}

/// What changed from `before` to `after`.
pub(super) fn diff(before: &Report, after: &Report) -> ScanDiff {
    let was_waived: HashSet<Key<'_>> =
        waived(before).map(|(c, f)| (c.id.as_str(), f.target.kind, f.target.name.as_str())).collect();
    let mut newly_waived: Vec<WaivedFinding> = waived(after)
        .filter(|(c, f)| !was_waived.contains(&(c.id.as_str(), f.target.kind, f.target.name.as_str())))
        .filter_map(|(c, f)| {
            let waiver = f.waived.as_ref()?;
            Some(WaivedFinding {
                finding: NewFailure {
                    check: c.id.clone(),
                    title: c.title.clone(),
                    severity: c.severity,
                    target: f.target.clone(),
                    message: f.message.clone(),
                },
                reason: waiver.reason.clone(),
                expires: waiver.expires.clone(),
            })
        })
        .collect();
    newly_waived.sort_by(|a, b| {
        b.finding.severity.cmp(&a.finding.severity).then(a.finding.check.cmp(&b.finding.check))
    });
    let now_waived: HashSet<Key<'_>> = newly_waived
        .iter()
        .map(|w| (w.finding.check.as_str(), w.finding.target.kind, w.finding.target.name.as_str()))
        .collect();
    let fixed: Vec<NewFailure> = before
        .failures_since(after, Severity::Info)
        .into_iter()
        .filter(|f| !now_waived.contains(&(f.check.as_str(), f.target.kind, f.target.name.as_str())))
        .collect();

    let categories = after
        .categories
        .iter()
        .filter_map(|a| {
            let b = before.categories.iter().find(|b| b.category == a.category);
            let (score, grade) = b.map_or((None, Grade::NotApplicable), |b| (b.score, b.grade));
            (score != a.score || grade != a.grade).then(|| CategoryChange {
                category: a.category,
                title: a.title.clone(),
                score: ScoreChange::new(score, a.score, grade, a.grade),
            })
        })
        .collect();

    let mut notes = Vec::new();
    if before.subject.endpoint.host != after.subject.endpoint.host {
        notes.push(format!(
            "the scans are of two engines ({} and {})",
            before.subject.endpoint.host, after.subject.endpoint.host
        ));
    }
    for (which, report) in [("the first", before), ("the second", after)] {
        if report.subject.engine.is_none() {
            notes.push(format!(
                "{which} scan did not reach its engine: its engine checks are unknown, so their changes are not real"
            ));
        }
    }
    if before.tool.catalogue_version != after.tool.catalogue_version {
        notes.push(format!(
            "the check catalogue changed ({} → {}): some changes may come from the checks, not the host",
            before.tool.catalogue_version, after.tool.catalogue_version
        ));
    }

    ScanDiff {
        score: ScoreChange::new(before.score, after.score, before.grade, after.grade),
        categories,
        new_failures: after.failures_since(before, Severity::Info),
        fixed,
        newly_waived,
        notes,
    }
}
