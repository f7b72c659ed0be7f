//! Scoring: severity-weighted credit over applicable checks, with grade caps for critical and high
//! failures. The formula is documented in docs/scoring.md; keep the two in step.

use crate::report::{CheckResult, Grade, ScoreCap, Severity, Status};

/// The highest score a report with a failing critical check can have (grade D at best): a host
/// with the Docker socket mounted into a container is never an "A" however much else is right.
pub const CRITICAL_CAP: u8 = 69;
/// The highest score with a failing high-severity check (grade B at best).
pub const HIGH_CAP: u8 = 89;

/// A check's weight and earned credit, or `None` when it does not count (info severity, or no
/// passing/failing/warning finding: unknown and not-applicable are excluded, never passes).
pub(crate) fn credit(check: &CheckResult) -> Option<(f64, f64)> {
    credit_of(check.severity, check.findings.iter())
}

/// [`credit`] over some of a check's findings (one container's, for its own score).
pub(crate) fn credit_of<'a>(
    severity: Severity,
    findings: impl Iterator<Item = &'a crate::report::Finding>,
) -> Option<(f64, f64)> {
    let weight = severity.weight();
    if weight == 0.0 {
        return None;
    }
    let (mut pass, mut warn, mut fail) = (0usize, 0usize, 0usize);
    for finding in findings {
        if finding.waived.is_some() {
            continue;
        }
        match finding.status {
            Status::Pass => pass += 1,
            Status::Warn => warn += 1,
            Status::Fail => fail += 1,
            Status::Info | Status::NotApplicable | Status::Unknown | Status::Manual => {}
        }
    }
    let total = pass + warn + fail;
    if total == 0 {
        return None;
    }
    #[allow(clippy::cast_precision_loss)] // counts are far below 2^52
    let earned = (pass as f64 + 0.5 * warn as f64) / total as f64;
    Some((weight, weight * earned))
}

/// Whether a check has a failing finding that no waiver accepted.
pub(crate) fn has_unwaived_failure(check: &CheckResult) -> bool {
    check.findings.iter().any(|f| f.status == Status::Fail && f.waived.is_none())
}

/// What scoring needs to know of one check.
#[derive(Debug, Clone)]
pub(crate) struct Scored<'a> {
    pub id: &'a str,
    pub severity: Severity,
    /// `(weight, earned)` from [`credit`], `None` when the check does not count.
    pub credit: Option<(f64, f64)>,
    pub failing: bool,
}

impl<'a> Scored<'a> {
    pub fn of(check: &'a CheckResult) -> Self {
        Scored {
            id: &check.id,
            severity: check.severity,
            credit: credit(check),
            failing: has_unwaived_failure(check),
        }
    }

    /// The same check as if every failing or warning finding were fixed.
    pub fn fixed(&self) -> Self {
        Scored { credit: self.credit.map(|(weight, _)| (weight, weight)), failing: false, ..self.clone() }
    }
}

/// The earned share of the possible credit, 0–100 before any cap; `None` when nothing counts.
fn raw_score(checks: &[Scored<'_>]) -> Option<u8> {
    let (mut possible, mut earned) = (0.0, 0.0);
    for (weight, got) in checks.iter().filter_map(|c| c.credit) {
        possible += weight;
        earned += got;
    }
    if possible == 0.0 {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // 0.0..=100.0
    Some((earned / possible * 100.0).round() as u8)
}

/// The cap that holds the score below what the checks earn, if one does: critical failures
/// before high ones, and only when the earned score is above the cap.
pub(crate) fn holding_cap(checks: &[Scored<'_>]) -> Option<ScoreCap> {
    let raw = raw_score(checks)?;
    let fails = |sev: Severity| checks.iter().any(|c| c.severity == sev && c.failing);
    if fails(Severity::Critical) && raw > CRITICAL_CAP {
        Some(ScoreCap { severity: Severity::Critical, score: CRITICAL_CAP })
    } else if fails(Severity::High) && raw > HIGH_CAP {
        Some(ScoreCap { severity: Severity::High, score: HIGH_CAP })
    } else {
        None
    }
}

/// Score, grade and cap reason over a set of checks.
pub(crate) fn score<'a>(checks: &[Scored<'a>]) -> (Option<u8>, Grade, Option<String>) {
    let Some(raw) = raw_score(checks) else {
        return (None, Grade::NotApplicable, None);
    };
    let failing = |sev: Severity| -> Vec<&str> {
        checks.iter().filter(|c| c.severity == sev && c.failing).map(|c| c.id).collect()
    };
    let (score, cap) = match holding_cap(checks) {
        Some(ScoreCap { severity: Severity::Critical, score }) => (
            score,
            Some(format!(
                "capped at {score}: critical check(s) failing ({})",
                failing(Severity::Critical).join(", ")
            )),
        ),
        Some(ScoreCap { score, .. }) => (
            score,
            Some(format!(
                "capped at {score}: high-severity check(s) failing ({})",
                failing(Severity::High).join(", ")
            )),
        ),
        None => (raw, None),
    };
    (Some(score), Grade::from_score(Some(score)), cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Category, Finding, Status, Target, TargetKind};

    fn check(id: &str, severity: Severity, statuses: &[Status]) -> CheckResult {
        CheckResult {
            id: id.to_owned(),
            slug: id.to_lowercase(),
            title: id.to_owned(),
            category: Category::Containers,
            severity,
            status: Status::aggregate(statuses.iter().copied()),
            summary: String::new(),
            rationale: String::new(),
            remediation: String::new(),
            references: Vec::new(),
            doc_url: None,
            findings: statuses
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let mut f = Finding::pass(Target::new(TargetKind::Container, format!("c{i}"), None), "");
                    f.status = *s;
                    f
                })
                .collect(),
            score_if_fixed: None,
        }
    }

    fn score_of(checks: &[CheckResult]) -> (Option<u8>, Grade, Option<String>) {
        let scored: Vec<Scored<'_>> = checks.iter().map(Scored::of).collect();
        score(&scored)
    }

    #[test]
    fn the_documented_worked_example() {
        // docs/scoring.md: CTR001 critical fails on 1 of 20, DMN001 medium fails, HST001 unknown.
        let mut ctr = vec![Status::Pass; 19];
        ctr.push(Status::Fail);
        let checks = [
            check("CTR001", Severity::Critical, &ctr),
            check("DMN001", Severity::Medium, &[Status::Fail]),
            check("HST001", Severity::High, &[Status::Unknown]),
        ];
        let (s, grade, cap) = score_of(&checks);
        assert_eq!((s, grade), (Some(CRITICAL_CAP), Grade::D));
        assert!(cap.is_some_and(|c| c.contains("CTR001")));
        let fixed: Vec<Scored<'_>> = checks
            .iter()
            .map(Scored::of)
            .enumerate()
            .map(|(i, s)| if i == 0 { s.fixed() } else { s })
            .collect();
        assert_eq!(score(&fixed).0, Some(77));
    }

    #[test]
    fn unknown_and_not_applicable_are_excluded_not_passed() {
        let checks = [
            check("A", Severity::High, &[Status::Unknown]),
            check("B", Severity::Low, &[Status::NotApplicable]),
        ];
        assert_eq!(score_of(&checks), (None, Grade::NotApplicable, None));
        let checks =
            [check("A", Severity::High, &[Status::Unknown]), check("B", Severity::Low, &[Status::Fail])];
        assert_eq!(score_of(&checks).0, Some(0), "the unknown high check neither helps nor hurts");
    }

    #[test]
    fn warnings_earn_half_and_high_failures_cap_at_b() {
        let checks =
            [check("A", Severity::Medium, &[Status::Warn]), check("B", Severity::Medium, &[Status::Pass])];
        assert_eq!(score_of(&checks).0, Some(75));
        let mut many = vec![Status::Pass; 99];
        many.push(Status::Fail);
        let checks = [check("H", Severity::High, &many)];
        let (s, grade, cap) = score_of(&checks);
        assert_eq!((s, grade), (Some(HIGH_CAP), Grade::B));
        assert!(cap.is_some());
    }

    #[test]
    fn waived_failures_do_not_count() {
        let mut c = check("A", Severity::Critical, &[Status::Fail, Status::Pass]);
        c.findings[0].waived =
            Some(crate::report::AppliedWaiver { reason: "accepted".into(), expires: None });
        assert_eq!(score_of(&[c]), (Some(100), Grade::A, None));
    }
}
